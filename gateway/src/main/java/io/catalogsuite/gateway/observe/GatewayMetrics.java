package io.catalogsuite.gateway.observe;

import io.catalogsuite.common.http.MethodLabel;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The gateway's own meters, next to the JVM's and Vert.x's (event bus, pools; not its HTTP metrics, which would
 * count the same requests again), all served at {@code GET /metrics}.
 *
 * <p>Nothing is looked up by name and tags per request: a meter is registered the first time its combination of
 * labels occurs and kept where the request path finds it directly (per route, per instance), so recording is an
 * array read and a lock-free update. Every label is bounded: routes come from the configuration, instances from
 * discovery, methods from {@link MethodLabel}, statuses are three digits.
 */
public final class GatewayMetrics {
  /** The route label of requests no route took (a 404 of the gateway's own). */
  public static final String UNMATCHED = "unmatched";
  /** The service label of requests the gateway answers itself: its own endpoints and the unmatched. */
  public static final String GATEWAY = "gateway";
  /** The upstream label of requests no instance served. */
  public static final String NO_UPSTREAM = "none";

  private final MeterRegistry registry;
  private final Map<Upstream, Counter> picks = new ConcurrentHashMap<>();

  public GatewayMetrics(MeterRegistry registry, ServiceDirectory directory, Collection<String> services) {
    this.registry = registry;
    for (String service : services) {
      Gauge.builder("gateway.in.flight", () -> directory.instances(service).stream()
              .mapToInt(Upstream::inFlight).sum())
          .description("Requests in flight to a service's instances")
          .tag("service", service)
          .register(registry);
    }
  }

  /** The request timers of one route (a prefix, or one of the gateway's own endpoints) to one service. */
  public RouteMeters route(String route, String service) {
    return new RouteMeters(route, service);
  }

  /** The balancer chose this instance (retries included). */
  public void picked(Upstream upstream) {
    Counter counter = picks.get(upstream); // a plain get first: computeIfAbsent may lock a bin
    if (counter == null) {
      counter = picks.computeIfAbsent(upstream, u ->
          counter("gateway.upstream.picks", "Instances chosen by the balancer", u));
    }
    counter.increment();
  }

  /** Counts the requests of a service retried on another instance. */
  public Counter retries(String service) {
    return Counter.builder("gateway.retries").description("Requests retried on another instance")
        .tag("service", service).register(registry);
  }

  /** Counts the retries of a service not made because its retry budget was spent. */
  public Counter retryBudgetExhausted(String service) {
    return Counter.builder("gateway.retry.budget.exhausted")
        .description("Retries not made because the service's retry budget was spent")
        .tag("service", service).register(registry);
  }

  /** Counts the requests refused with 429 by the rate limit of {@code route}. */
  public Counter rateLimited(String route) {
    return Counter.builder("gateway.rate.limited").description("Requests refused by a rate limit")
        .tag("route", route).register(registry);
  }

  public void ejected(Upstream upstream) {
    counter("gateway.ejections", "Instances ejected by passive health checking", upstream).increment();
  }

  /** Registers a gauge of a service's circuit breaker: 0 closed, 1 half-open, 2 open. */
  public void breakerState(String service, Supplier<Number> state) {
    Gauge.builder("gateway.circuit.breaker.state", state)
        .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
        .tag("service", service).register(registry);
  }

  private Counter counter(String name, String description, Upstream upstream) {
    return Counter.builder(name).description(description)
        .tags("service", upstream.service(), "upstream", upstream.instanceId()).register(registry);
  }

  /**
   * {@code gateway.requests} of one route: a timer per upstream, method and status, each registered on first use
   * and then found in an array.
   */
  public final class RouteMeters {
    private static final int MIN_STATUS = 100;
    private static final int STATUSES = 500; // 100 to 599; anything else is recorded as OTHER_STATUS
    private static final String OTHER_STATUS = "other";
    private static final int SLOTS = MethodLabel.COUNT * (STATUSES + 1);

    private final String route;
    private final String service;
    private final Map<String, AtomicReferenceArray<Timer>> byUpstream = new ConcurrentHashMap<>();

    private RouteMeters(String route, String service) {
      this.route = route;
      this.service = service;
    }

    public String route() {
      return route;
    }

    /** A request the gateway answered, from the first byte received to the response's end. */
    void record(String upstream, String method, int status, long nanos) {
      AtomicReferenceArray<Timer> timers = byUpstream.get(upstream);
      if (timers == null) {
        timers = byUpstream.computeIfAbsent(upstream, u -> new AtomicReferenceArray<>(SLOTS));
      }
      int methodIndex = MethodLabel.index(method);
      int statusIndex = status >= MIN_STATUS && status < MIN_STATUS + STATUSES ? status - MIN_STATUS : STATUSES;
      int slot = methodIndex * (STATUSES + 1) + statusIndex;
      Timer timer = timers.get(slot);
      if (timer == null) { // registering twice at once is harmless: the registry gives both the same timer
        timer = register(upstream, MethodLabel.of(method),
            statusIndex == STATUSES ? OTHER_STATUS : Integer.toString(status));
        timers.set(slot, timer);
      }
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer register(String upstream, String method, String status) {
      return Timer.builder("gateway.requests")
          .description("Requests through the gateway, by route, upstream instance, method and status")
          .tags("route", route, "service", service, "upstream", upstream, "method", method, "status", status)
          .publishPercentileHistogram()
          .maximumExpectedValue(Duration.ofSeconds(30))
          .register(registry);
    }
  }
}
