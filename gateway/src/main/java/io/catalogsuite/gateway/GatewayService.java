package io.catalogsuite.gateway;

import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.gateway.balance.LoadBalancer;
import io.catalogsuite.gateway.discovery.DiscoveryVerticle;
import io.catalogsuite.gateway.discovery.ReadmissionVerticle;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.protect.Protection;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.gateway.proxy.ProxyHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.regex.Pattern;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gateway: the single HTTP entry. Authenticates and rate-limits requests, finds instances through service
 * discovery, balances across them, retries idempotent requests that could not connect, and shows what it sees
 * at {@code /admin/services}.
 */
public final class GatewayService implements Service {
  public static final String NAME = "gateway";

  private final GatewayConfig config;
  private final Protection protection;
  private final ServiceDirectory directory = new ServiceDirectory();
  /** One balancer per service, shared by every event loop so that the rotation is strict. */
  private final Map<String, LoadBalancer> balancers = new LinkedHashMap<>();

  public GatewayService(GatewayConfig config, ProtectionConfig protection) {
    this.config = config;
    this.protection = new Protection(protection,
        config.routes().stream().map(GatewayConfig.Route::prefix).toList());
    config.routes().forEach(route -> balancers.putIfAbsent(route.service(), LoadBalancer.roundRobin()));
  }

  @Override
  public Future<Void> start(ServiceNode node) {
    return node.vertx().deployVerticle(new DiscoveryVerticle(node.discovery(), directory))
        .compose(id -> node.vertx().deployVerticle(new ReadmissionVerticle(directory, config.healthProbeIntervalMs())))
        .compose(id -> protection.start(node));
  }

  @Override
  public Future<Void> stop() {
    return protection.stop();
  }

  @Override
  public void routes(Router router, Vertx vertx) {
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions().setConnectTimeout(config.connectTimeoutMs()).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(64));
    AdminHandler admin = new AdminHandler(directory, config);
    // Who may do what, then how much: on routes of their own, ahead of the ones that read the body (no body is
    // buffered for a request that will be refused) and reach an upstream.
    Handler<RoutingContext> authentication = protection.authentication(vertx);

    router.route(Protection.ADMIN_PREFIX + "/*")
        .handler(authentication)
        .handler(protection.rateLimit(Protection.ADMIN_PREFIX));
    router.get("/admin/services").handler(admin::services);
    for (GatewayConfig.Route route : config.routes()) {
      ProxyHandler proxy = new ProxyHandler(client, directory, balancers.get(route.service()), route,
          config.upstreamTimeoutMs());
      // The prefix itself or anything below it; /api/catalogue is not /api/catalog.
      String paths = Pattern.quote(route.prefix()) + "(/.*)?";
      router.routeWithRegex(paths)
          .handler(authentication)
          .handler(protection.rateLimit(route.prefix()));
      router.routeWithRegex(paths)
          .handler(JsonBodies.limitedTo(config.maxBodyBytes()))
          .handler(proxy);
    }
  }

  @Override
  public Map<String, Supplier<Future<?>>> readiness() {
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    for (String service : balancers.keySet()) {
      checks.put(service, () -> directory.instances(service).isEmpty()
          ? Future.failedFuture("no instance discovered")
          : Future.succeededFuture(directory.instances(service).size() + " instances"));
    }
    return checks;
  }

  @Override
  public boolean discoverable() {
    return false;
  }
}
