package io.catalogsuite.gateway;

import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.catalogsuite.gateway.proxy.Backend;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /admin/services}: every discovered service with its instances, as the gateway sees them;
 * {@code GET /admin/config}: the configuration in force, with no secret.
 */
final class AdminHandler {
  private final ServiceDirectory directory;
  private final GatewayConfig config;
  private final Map<String, Backend> backends;
  private final JsonObject effectiveConfig;

  AdminHandler(ServiceDirectory directory, GatewayConfig config, Map<String, Backend> backends,
      JsonObject effectiveConfig) {
    this.directory = directory;
    this.config = config;
    this.backends = backends;
    this.effectiveConfig = effectiveConfig;
  }

  void config(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(effectiveConfig.toBuffer());
  }

  void services(RoutingContext ctx) {
    JsonObject services = new JsonObject();
    // Routed services are listed even with no instance: that is exactly what an operator needs to see.
    long now = System.currentTimeMillis();
    config.routes().forEach(route -> services.put(route.service(), describe(route.service(), List.of(), now)));
    new TreeMap<>(directory.all()).forEach((service, instances) ->
        services.put(service, describe(service, instances, now)));
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("services", services).toBuffer());
  }

  private JsonObject describe(String service, List<Upstream> instances, long now) {
    GatewayConfig.Balancing balancing = config.balancingOf(service);
    return new JsonObject()
        .put("route", routeOf(service))
        .put("strategy", balancing.strategy().id())
        .put("hashHeader", balancing.hashHeader())
        .put("circuitBreaker", backends.containsKey(service) ? backends.get(service).breakerState() : null)
        .put("instances", new JsonArray(instances.stream().map(u -> u.toJson(now, config.health())).toList()));
  }

  private String routeOf(String service) {
    return config.routes().stream().filter(r -> r.service().equals(service)).map(GatewayConfig.Route::prefix)
        .findFirst().orElse(null);
  }
}
