package io.catalogsuite.gateway;

import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.discovery.RecordOrigins;
import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.common.http.OpenApiDocument;
import io.catalogsuite.gateway.dashboard.DashboardSampler;
import io.catalogsuite.gateway.discovery.DiscoveryVerticle;
import io.catalogsuite.gateway.docs.DocsPage;
import io.catalogsuite.gateway.docs.GatewayDocument;
import io.catalogsuite.gateway.discovery.HealthCheckVerticle;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.observe.AccessLog;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import io.catalogsuite.gateway.observe.GatewayMetrics.RouteMeters;
import io.catalogsuite.gateway.observe.RequestObserver;
import io.catalogsuite.gateway.protect.Protection;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.gateway.proxy.Backend;
import io.catalogsuite.gateway.proxy.EventStreams;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The gateway: the single HTTP entry. Authenticates and rate-limits requests, finds instances through service
 * discovery, balances across them, retries idempotent requests that could not connect, and shows what it sees
 * at {@code /admin/services} and, live, at {@code /admin/dashboard}. The suite's API through it is described at
 * {@code /openapi.json} and browsable at {@code /docs}.
 */
public final class GatewayService implements Service {
  public static final String NAME = "gateway";
  /** The endpoints every node serves (see {@link io.catalogsuite.common.ServiceNode}), measured under their path. */
  private static final List<String> OWN_ENDPOINTS = List.of("/health", "/ready", "/info", "/metrics",
      OpenApiDocument.PATH);

  private final GatewayConfig config;
  private final Protection protection;
  private final ProtectionConfig protectionConfig;
  private final ServiceDirectory directory;

  public GatewayService(GatewayConfig config, ProtectionConfig protection) {
    this.config = config;
    this.protectionConfig = protection;
    this.protection = new Protection(protection,
        config.routes().stream().map(GatewayConfig.Route::prefix).toList());
    this.directory = new ServiceDirectory(config.weights());
  }

  @Override
  public Future<Running> start(ServiceNode node) {
    GatewayMetrics metrics = new GatewayMetrics(node.metrics(), directory, config.services());
    AccessLog accessLog = new AccessLog(node.metrics());
    Map<String, RouteMeters> ownEndpoints = new LinkedHashMap<>();
    for (String endpoint : OWN_ENDPOINTS) {
      ownEndpoints.put(endpoint, metrics.route(endpoint, GatewayMetrics.GATEWAY));
    }
    boolean tracing = node.tracing().enabled();
    RequestObserver observer = new RequestObserver(accessLog, ownEndpoints,
        metrics.route(GatewayMetrics.UNMATCHED, GatewayMetrics.GATEWAY), tracing);
    Map<String, RouteMeters> routeMeters = new LinkedHashMap<>();
    routeMeters.put(Protection.ADMIN_PREFIX, metrics.route(Protection.ADMIN_PREFIX, GatewayMetrics.GATEWAY));
    routeMeters.put(DocsPage.PATH, metrics.route(DocsPage.PATH, GatewayMetrics.GATEWAY));
    config.routes().forEach(route -> routeMeters.put(route.prefix(), metrics.route(route.prefix(), route.service())));
    EventStreams eventStreams = new EventStreams(node.vertx(), config);
    Optional<GatewayIdentity> identity = node.config().gatewayIdentity();
    Map<String, Backend> backends = new LinkedHashMap<>();
    config.services().forEach(service ->
        backends.put(service, new Backend(node.vertx(), service, directory, config.balancingOf(service), metrics,
            config.health(), config.resilience())));
    DashboardSampler dashboard = new DashboardSampler(node.config().instanceId(), config, directory, backends,
        metrics);
    OpenApiDocument document = GatewayDocument.assemble(config.routes(), protectionConfig.policy());
    JsonObject effectiveConfig = new JsonObject().put("node", node.config().describe())
        .put("gateway", config.describe()).put("protection", protectionConfig.describe());
    AdminOperations operations = new AdminOperations(node.vertx(), directory, backends, config.health(),
        node.config().instanceId());
    RecordOrigins origins = new RecordOrigins(node.cluster().hazelcast());
    return node.vertx().deployVerticle(new DiscoveryVerticle(node.discovery(), directory, origins))
        .compose(id -> node.vertx().deployVerticle(new HealthCheckVerticle(directory, config.health())))
        .compose(id -> node.vertx().deployVerticle(dashboard))
        .compose(id -> operations.listen().completion())
        .compose(id -> protection.start(node))
        .map(stopProtection -> new RunningGateway(config, directory, protection, stopProtection, metrics, accessLog,
            observer, routeMeters, eventStreams, backends, dashboard, operations, effectiveConfig, document,
            identity, tracing));
  }

  @Override
  public HttpServerOptions serverOptions(HttpServerOptions defaults) {
    GatewayConfig.ClientLimits clients = config.clients();
    return defaults
        .setMaxHeaderSize(clients.maxHeaderBytes())
        .setIdleTimeout(clients.idleTimeoutSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(clients.compression());
  }

  /** The gateway's meters count every request, per route and instance: Vert.x's HTTP metrics would repeat them. */
  @Override
  public boolean measuresItsHttp() {
    return true;
  }

  @Override
  public boolean discoverable() {
    return false;
  }
}
