// The gateway dashboard: reads GET /admin/dashboard/stream (server-sent events, one a second) with fetch and a
// stream reader, so that the admin credential travels in a header (EventSource cannot send one), and renders
// each event. The credential is kept in sessionStorage: for this tab only, gone when it closes.
'use strict';

const STREAM = '/admin/dashboard/stream';
const STORED = 'catalog-suite.dashboard.credential';
const HISTORY = 60;
const STALE_MS = 5000;
const RECONNECT_MS = 1000;

const $ = (id) => document.getElementById(id);
const history = { times: [], series: new Map() }; // key -> { rate: [], p99: [] }
let charts = { keys: '', rate: null, p99: null };
let lastEventAt = 0;

function stored() {
  const text = sessionStorage.getItem(STORED);
  return text ? JSON.parse(text) : null;
}

function headers(credential) {
  return credential.kind === 'bearer'
    ? { Authorization: 'Bearer ' + credential.secret }
    : { 'X-API-Key': credential.secret };
}

function status(text, kind) {
  const element = $('status');
  element.textContent = text;
  element.className = 'status ' + (kind || '');
}

function showLogin(message) {
  $('board').hidden = true;
  $('forget').hidden = true;
  $('login').hidden = false;
  $('error').textContent = message || '';
  status('not connected', 'down');
  $('secret').focus();
}

async function problemDetail(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || response.statusText;
  } catch (e) {
    return response.statusText;
  }
}

async function connect(credential) {
  $('login').hidden = true;
  $('forget').hidden = false;
  status('connecting');
  let response;
  try {
    response = await fetch(STREAM, { headers: headers(credential), cache: 'no-store' });
  } catch (e) {
    status('gateway unreachable, retrying', 'down');
    setTimeout(() => connect(credential), RECONNECT_MS);
    return;
  }
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem(STORED);
    showLogin('Refused (' + response.status + '): ' + await problemDetail(response));
    return;
  }
  if (!response.ok) {
    status('HTTP ' + response.status + ': ' + await problemDetail(response) + '; retrying', 'down');
    setTimeout(() => connect(credential), RECONNECT_MS);
    return;
  }
  $('board').hidden = false;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart()).join('\n');
        if (data) {
          render(JSON.parse(data));
        }
      }
    }
  } catch (e) {
    // the connection broke: reconnect below
  }
  status('stream ended, reconnecting', 'down');
  setTimeout(() => connect(credential), RECONNECT_MS);
}

function cell(row, className, text) {
  const td = document.createElement('td');
  td.className = className;
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function number(value, digits) {
  return value === null || value === undefined ? '–' : Number(value).toFixed(digits);
}

function stateText(instance) {
  if (instance.state === 'ejected' && instance.ejectedUntil) {
    return 'ejected until ' + new Date(instance.ejectedUntil).toLocaleTimeString();
  }
  if (instance.state === 'slow-start') {
    return 'slow start ' + Math.round(100 * instance.share) + ' %';
  }
  return instance.state === 'in-rotation' ? 'in rotation' : instance.state;
}

const COLUMNS = ['Instance', 'Address', 'State', 'Weight', 'In flight', 'Req/s', 'p50 ms', 'p99 ms',
  'Requests', 'Errors'];
// The caches catalog-service reports in its /health body, and their columns.
const CACHES = [['near', 'Near cache hits'], ['shared', 'Shared map hits']];

function hitRatio(caches, name) {
  const cache = caches && caches[name];
  return cache ? (100 * cache.hitRatio).toFixed(1) + ' % of ' + (cache.hits + cache.misses) : '–';
}

function summaryItem(parent, label, value, className) {
  const span = document.createElement('span');
  span.className = className;
  span.append(label + ' ');
  const b = document.createElement('b');
  b.textContent = value;
  span.appendChild(b);
  parent.appendChild(span);
}

function renderService(service) {
  const section = document.createElement('section');
  section.className = 'service';
  section.dataset.service = service.name;
  const title = document.createElement('h2');
  title.textContent = service.name + ' (' + service.routes.join(', ') + ')';
  section.appendChild(title);
  const summary = document.createElement('div');
  summary.className = 'summary';
  summaryItem(summary, 'balancing', service.strategy, 'strategy');
  summaryItem(summary, 'breaker', service.breaker, 'breaker breaker-' + service.breaker);
  summaryItem(summary, 'retries', service.retries, 'retries');
  summaryItem(summary, 'retry budget (10 s)', service.retryBudget.used + ' of ' + service.retryBudget.allowed + ' used',
    'budget');
  summaryItem(summary, 'retries refused', service.retriesRefused, 'retries-refused');
  summaryItem(summary, 'rate-limited', service.rateLimited, 'rate-limited');
  section.appendChild(summary);
  if (service.instances.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'empty';
    empty.textContent = 'no instance discovered';
    section.appendChild(empty);
    return section;
  }
  const caches = CACHES.filter(([name]) => service.instances.some((instance) => instance.caches && instance.caches[name]));
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  COLUMNS.concat(caches.map(([, title]) => title)).forEach((name) => {
    const th = document.createElement('th');
    th.textContent = name;
    head.appendChild(th);
  });
  const body = table.createTBody();
  for (const instance of service.instances) {
    const row = body.insertRow();
    row.dataset.instance = instance.instanceId;
    row.dataset.state = instance.state;
    cell(row, 'id', instance.instanceId);
    cell(row, 'address', instance.host + ':' + instance.port);
    const state = cell(row, 'state', '');
    const badge = document.createElement('span');
    badge.className = instance.state;
    badge.textContent = stateText(instance);
    state.appendChild(badge);
    cell(row, 'weight', instance.weight);
    cell(row, 'in-flight', instance.inFlight);
    cell(row, 'rate', number(instance.requestsPerSecond, 1));
    cell(row, 'p50', number(instance.p50Ms, 2));
    cell(row, 'p99', number(instance.p99Ms, 2));
    cell(row, 'requests', instance.requests);
    cell(row, 'errors', instance.failures);
    for (const [name] of caches) {
      cell(row, name + '-cache', hitRatio(instance.caches, name));
    }
  }
  section.appendChild(table);
  return section;
}

function record(snapshot) {
  history.times.push(snapshot.at / 1000);
  const seen = new Set();
  for (const service of snapshot.services) {
    for (const instance of service.instances) {
      const key = service.name + '/' + instance.instanceId;
      seen.add(key);
      if (!history.series.has(key)) {
        history.series.set(key, { rate: history.times.slice(1).map(() => null), p99: history.times.slice(1).map(() => null) });
      }
      const series = history.series.get(key);
      series.rate.push(instance.requestsPerSecond === undefined ? null : instance.requestsPerSecond);
      series.p99.push(instance.p99Ms === undefined ? null : instance.p99Ms);
    }
  }
  for (const [key, series] of history.series) {
    if (!seen.has(key)) {
      series.rate.push(null);
      series.p99.push(null);
    }
  }
  if (history.times.length > HISTORY) {
    history.times.shift();
    for (const series of history.series.values()) {
      series.rate.shift();
      series.p99.shift();
    }
  }
  for (const [key, series] of history.series) {
    if (series.rate.every((value) => value === null)) {
      history.series.delete(key);
    }
  }
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function chart(element, keys, data, label) {
  const width = Math.max(320, Math.min(640, (document.body.clientWidth - 80) / 2));
  const options = {
    width, height: 200,
    series: [{}].concat(keys.map((key, i) => ({ label: key, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false }))),
    axes: [{}, { label }],
    scales: { x: { time: true } },
  };
  element.textContent = '';
  return new uPlot(options, data, element);
}

function renderCharts() {
  if (typeof uPlot === 'undefined') {
    return;
  }
  const keys = [...history.series.keys()].sort();
  const rate = [history.times].concat(keys.map((key) => history.series.get(key).rate));
  const p99 = [history.times].concat(keys.map((key) => history.series.get(key).p99));
  if (charts.keys !== keys.join('\n')) {
    charts = { keys: keys.join('\n'), rate: chart($('rate-chart'), keys, rate, 'req/s'),
      p99: chart($('p99-chart'), keys, p99, 'ms') };
  } else {
    charts.rate.setData(rate);
    charts.p99.setData(p99);
  }
}

function render(snapshot) {
  lastEventAt = Date.now();
  status('live · ' + new Date(snapshot.at).toLocaleTimeString(), 'live');
  $('gateway').textContent = 'gateway ' + snapshot.gateway;
  record(snapshot);
  const services = $('services');
  services.replaceChildren(...snapshot.services.map(renderService));
  renderCharts();
}

setInterval(() => {
  if (lastEventAt && Date.now() - lastEventAt > STALE_MS) {
    status('no update for ' + Math.round((Date.now() - lastEventAt) / 1000) + ' s', 'down');
  }
}, 1000);

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const credential = { kind: $('kind').value, secret: $('secret').value };
  $('secret').value = '';
  sessionStorage.setItem(STORED, JSON.stringify(credential));
  connect(credential);
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(STORED);
  location.reload();
});

const credential = stored();
if (credential) {
  connect(credential);
} else {
  showLogin();
}
