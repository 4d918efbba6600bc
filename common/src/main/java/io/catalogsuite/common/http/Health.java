package io.catalogsuite.common.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /health} (liveness: the process answers) and {@code GET /ready} (readiness: every named check
 * passes). {@code /ready} answers {@code 200} or {@code 503} with each check's state, e.g.
 * {@code {"status":"DOWN","checks":{"cluster":"UP","postgres":"DOWN: connection refused"}}}.
 */
public final class Health {
  private static final long CHECK_TIMEOUT_MS = 2_000;
  private final Map<String, Supplier<Future<?>>> checks;

  private Health(Map<String, Supplier<Future<?>>> checks) {
    this.checks = checks;
  }

  /** A readiness check: a future that fails, with a reason, while the service is not ready. */
  public static Health checks(Map<String, Supplier<Future<?>>> checks) {
    return new Health(new LinkedHashMap<>(checks));
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> send(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    List<String> names = new ArrayList<>(checks.keySet());
    List<Future<?>> results = new ArrayList<>();
    names.forEach(name -> results.add(run(checks.get(name))));
    Future.join(results).onComplete(ignored -> {
      JsonObject states = new JsonObject();
      boolean up = true;
      for (int i = 0; i < names.size(); i++) {
        Future<?> result = results.get(i);
        up &= result.succeeded();
        states.put(names.get(i), result.succeeded() ? "UP" : "DOWN: " + result.cause().getMessage());
      }
      send(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", states));
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
