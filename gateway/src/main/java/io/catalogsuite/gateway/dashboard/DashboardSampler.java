package io.catalogsuite.gateway.dashboard;

import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import io.catalogsuite.gateway.proxy.Backend;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Once a second, on its own event loop, takes what the gateway knows of every routed service and its instances
 * (state, weight, in flight, requests per second, p50/p99 over the last {@value InstanceWindow#SECONDS} s, errors,
 * retries, the retry budget, the breaker, rate-limit rejections), makes it one server-sent event, and pushes it to
 * every open dashboard stream, each on its own connection's event loop.
 *
 * <p>Off the request path: requests only record into their instance ({@link Upstream#timed}) and the counters the
 * gateway keeps anyway; the per-second work (a histogram per instance, one JSON text) is done here once, whatever
 * the number of dashboards open.
 */
public final class DashboardSampler extends VerticleBase {
  private static final long TICK_MS = 1_000;

  private final String gateway;
  private final GatewayConfig config;
  private final ServiceDirectory directory;
  private final Map<String, Backend> backends;
  /** The rate-limit rejection counters of each service's routes. */
  private final Map<String, List<Counter>> rateLimited = new LinkedHashMap<>();
  /** By instance; this verticle's event loop only. */
  private final Map<Upstream, InstanceWindow> windows = new HashMap<>();
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  /** The latest event, as sent: read by the event loop of a stream that opens. */
  private volatile String event;

  public DashboardSampler(String gateway, GatewayConfig config, ServiceDirectory directory,
      Map<String, Backend> backends, GatewayMetrics metrics) {
    this.gateway = gateway;
    this.config = config;
    this.directory = directory;
    this.backends = backends;
    for (String service : config.services()) {
      rateLimited.put(service, config.routes().stream().filter(route -> route.service().equals(service))
          .map(route -> metrics.rateLimited(route.prefix())).toList());
    }
    this.event = event(System.currentTimeMillis());
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(TICK_MS, id -> tick());
    return Future.succeededFuture();
  }

  /**
   * Streams the events to {@code response} from now on, the latest at once, each written on {@code context} (the
   * response's event loop); a write is skipped while the client has not read the previous ones.
   */
  public Stream open(HttpServerResponse response, Context context) {
    Stream stream = new Stream(response, context);
    streams.add(stream);
    stream.send(event);
    return stream;
  }

  public void close(Stream stream) {
    streams.remove(stream);
  }

  /** An open dashboard stream. */
  public record Stream(HttpServerResponse response, Context context) {
    private void send(String event) {
      // Closed since the event was pushed: its end handler is about to close the stream.
      if (!response.closed() && !response.ended() && !response.writeQueueFull()) {
        response.write(event);
      }
    }

    private void push(String event) {
      context.runOnContext(v -> send(event));
    }
  }

  private void tick() {
    long nowNanos = System.nanoTime();
    for (List<Upstream> instances : directory.all().values()) {
      for (Upstream upstream : instances) {
        windows.computeIfAbsent(upstream, u -> new InstanceWindow(u, nowNanos)).tick(nowNanos);
      }
    }
    windows.keySet().retainAll(directory.all().values().stream().flatMap(List::stream).collect(Collectors.toSet()));
    String next = event(System.currentTimeMillis());
    event = next;
    streams.forEach(stream -> stream.push(next));
  }

  private String event(long nowMs) {
    HealthPolicy policy = config.health();
    JsonArray services = new JsonArray();
    for (String service : config.services()) {
      Backend.Status status = backends.get(service).status(nowMs);
      JsonArray instances = new JsonArray();
      for (Upstream upstream : directory.instances(service)) {
        InstanceWindow window = windows.get(upstream);
        instances.add(window == null ? upstream.toJson(nowMs, policy) : window.toJson(nowMs, policy));
      }
      services.add(new JsonObject()
          .put("name", service)
          .put("routes", new JsonArray(config.routes().stream().filter(route -> route.service().equals(service))
              .map(GatewayConfig.Route::prefix).toList()))
          .put("strategy", config.balancingOf(service).strategy().id())
          .put("breaker", status.breaker())
          .put("retries", status.retries())
          .put("retriesRefused", status.retriesRefused())
          .put("retryBudget", new JsonObject().put("used", status.budgetUsed())
              .put("allowed", status.budgetAllowed()))
          .put("rateLimited", (long) rateLimited.get(service).stream().mapToDouble(Counter::count).sum())
          .put("instances", instances));
    }
    JsonObject snapshot = new JsonObject().put("gateway", gateway).put("at", nowMs)
        .put("windowSeconds", InstanceWindow.SECONDS).put("services", services);
    return "data: " + snapshot.encode() + "\n\n";
  }
}
