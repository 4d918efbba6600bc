package io.catalogsuite.common.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /health} (liveness: the process answers, with what the service reports of itself),
 * {@code GET /ready} (readiness: every required check passes) and {@code GET /info} (what runs: the service and
 * instance, the build's version and commit, the Java runtime, since when). {@code /ready} answers {@code 200} or {@code 503}
 * with each check's state, e.g.
 * {@code {"status":"DOWN","checks":{"cluster":"UP","postgres":"DOWN: connection refused"}}}. An optional check
 * names something the service can do without (the cache, for catalog-service): when it fails, the service is
 * still ready, and says {@code "status":"DEGRADED"} with the check's reason.
 */
public final class Health {
  private static final long CHECK_TIMEOUT_MS = 2_000;
  private final Map<String, Supplier<Future<?>>> required;
  private final Map<String, Supplier<Future<?>>> optional;
  private final Supplier<JsonObject> report;
  private final JsonObject info;

  private Health(Map<String, Supplier<Future<?>>> required, Map<String, Supplier<Future<?>>> optional,
      Supplier<JsonObject> report, JsonObject info) {
    this.required = required;
    this.optional = optional;
    this.report = report;
    this.info = info;
  }

  /**
   * Readiness from checks: futures that fail, with a reason, while a required dependency is unusable (the node is
   * not ready) or an optional one is (the node is degraded); {@code /health} adds {@code report}'s fields to its
   * {@code "status":"UP"}; {@code /info} names {@code service} and {@code instanceId}.
   */
  public static Health checks(Map<String, Supplier<Future<?>>> required, Map<String, Supplier<Future<?>>> optional,
      Supplier<JsonObject> report, String service, String instanceId) {
    BuildInfo build = BuildInfo.CURRENT;
    JsonObject info = new JsonObject()
        .put("service", service)
        .put("instanceId", instanceId)
        .put("version", build.version())
        .put("commit", build.commit().orElse(null))
        .put("dirty", build.dirty())
        .put("buildTime", build.buildTime().orElse(null))
        .put("java", new JsonObject().put("version", Runtime.version().toString())
            .put("vendor", System.getProperty("java.vendor")))
        // The process's: when its JVM started, as an operator reads uptime (the service starts seconds later).
        .put("startedAt", Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()).toString());
    return new Health(new LinkedHashMap<>(required), new LinkedHashMap<>(optional), report, info);
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> send(ctx, 200,
        new JsonObject().put("status", "UP").mergeIn(report.get())));
    router.get("/ready").handler(this::ready);
    router.get("/info").handler(ctx -> send(ctx, 200, info.copy()
        .put("uptimeSeconds", TimeUnit.MILLISECONDS.toSeconds(ManagementFactory.getRuntimeMXBean().getUptime()))));
  }

  private void ready(RoutingContext ctx) {
    List<String> names = new ArrayList<>(required.keySet());
    names.addAll(optional.keySet());
    List<Future<?>> results = new ArrayList<>();
    names.forEach(name -> results.add(run(required.containsKey(name) ? required.get(name) : optional.get(name))));
    Future.join(results).onComplete(ignored -> {
      JsonObject states = new JsonObject();
      boolean up = true;
      boolean degraded = false;
      for (int i = 0; i < names.size(); i++) {
        Future<?> result = results.get(i);
        boolean isRequired = required.containsKey(names.get(i));
        if (result.failed()) {
          up &= !isRequired;
          degraded |= !isRequired;
        }
        states.put(names.get(i), result.succeeded() ? "UP"
            : (isRequired ? "DOWN: " : "DEGRADED: ") + result.cause().getMessage());
      }
      String status = !up ? "DOWN" : degraded ? "DEGRADED" : "UP";
      send(ctx, up ? 200 : 503, new JsonObject().put("status", status).put("checks", states));
    });
  }

  private static Future<Object> run(Supplier<Future<?>> check) {
    try {
      return check.get().<Object>map(v -> v).timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static void send(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
