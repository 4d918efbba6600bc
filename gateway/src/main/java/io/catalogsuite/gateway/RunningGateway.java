package io.catalogsuite.gateway;

import io.catalogsuite.common.Service;
import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.OpenApiDocument;
import io.catalogsuite.gateway.dashboard.DashboardPage;
import io.catalogsuite.gateway.dashboard.DashboardSampler;
import io.catalogsuite.gateway.dashboard.DashboardStream;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.docs.DocsPage;
import io.catalogsuite.gateway.docs.GatewayDocument;
import io.catalogsuite.gateway.observe.AccessLog;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import io.catalogsuite.gateway.observe.GatewayMetrics.RouteMeters;
import io.catalogsuite.gateway.observe.RequestObserver;
import io.catalogsuite.gateway.protect.Protection;
import io.catalogsuite.gateway.proxy.Backend;
import io.catalogsuite.gateway.proxy.EventStreams;
import io.catalogsuite.gateway.proxy.ProxyHandler;
import io.catalogsuite.gateway.proxy.UpstreamClients;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The gateway once started: what routes, measures and proxies its requests, and what its admin API shows and
 * operates.
 *
 * @param stopProtection  stops the protection's background work (see {@link Protection#start})
 * @param backends        one backend per service, shared by every event loop (so that, for one, the rotation is
 *                        strict)
 * @param routeMeters     the request meters of each route, by prefix, and of the admin API
 * @param effectiveConfig what /admin/config shows: this node's, the gateway's and the protection's settings, secrets
 *                        left out
 * @param document        the suite's API through this gateway, at /openapi.json and /docs (see
 *                        {@link GatewayDocument})
 * @param identity        the deployment's secret, to sign what is forwarded (see {@link GatewayIdentity})
 * @param tracing         whether the node traces (then the proxy leaves the trace headers to Vert.x)
 */
record RunningGateway(GatewayConfig config, ServiceDirectory directory, Protection protection,
    Runnable stopProtection, GatewayMetrics metrics, AccessLog accessLog, RequestObserver observer,
    Map<String, RouteMeters> routeMeters, EventStreams eventStreams, Map<String, Backend> backends,
    DashboardSampler dashboard, AdminOperations operations, JsonObject effectiveConfig, OpenApiDocument document,
    Optional<GatewayIdentity> identity, boolean tracing) implements Service.Running {
  /**
   * Requests whose method gives a body no meaning (RFC 9110 §9.3) may carry {@value #BODILESS_MAX_BYTES} bytes at
   * most, 413 beyond: the gateway buffers a body to be able to retry, and nobody needs 10 MiB on a GET.
   */
  private static final Set<HttpMethod> BODILESS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.DELETE,
      HttpMethod.OPTIONS);
  private static final int BODILESS_MAX_BYTES = 8 * 1024;
  /** Connections per instance in each event loop's pool for ordinary requests. */
  static final int UPSTREAM_CONNECTIONS_PER_INSTANCE = 64;

  @Override
  public void routes(Router router, Vertx vertx) {
    // One pool per event loop: this server's requests and their upstream connections stay on its loop.
    HttpClient client = vertx.createHttpClient(
        UpstreamClients.options(config.connectTimeoutMs()),
        new PoolOptions().setHttp1MaxSize(UPSTREAM_CONNECTIONS_PER_INSTANCE));
    AdminHandler admin = new AdminHandler(directory, config, backends, effectiveConfig);
    // Who may do what, then how much: on routes of their own, ahead of the ones that read the body (no body is
    // buffered for a request that will be refused) and reach an upstream.
    Handler<RoutingContext> authentication = protection.authentication(vertx);

    router.route().handler(observer);
    if (!config.clients().corsOrigins().isEmpty()) { // before authentication: preflights carry no credential
      router.route().handler(CorsHandler.create()
          .addOrigins(config.clients().corsOrigins())
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.POST, HttpMethod.PUT,
              HttpMethod.DELETE, HttpMethod.OPTIONS))
          .allowedHeaders(Set.of("Content-Type", "If-Match", "If-None-Match", "X-Request-Id", "X-API-Key",
              "Authorization"))
          .exposedHeaders(Set.of("ETag", "Location", "X-Request-Id", "X-Instance-Id", "Retry-After")));
    }
    // The proxied routes first: they take nearly every request, and no path of the gateway's own lies under their
    // prefixes (GatewayConfig refuses such a prefix), so their place decides only how many routes a request is
    // matched against, not which one it takes.
    BodyHandler buffered = JsonBodies.limitedTo(config.maxBodyBytes());
    BodyHandler bodiless = JsonBodies.limitedTo(Math.min(BODILESS_MAX_BYTES, config.maxBodyBytes()));
    for (GatewayConfig.Route route : config.routes()) {
      ProxyHandler proxy = new ProxyHandler(client, eventStreams, backends.get(route.service()), route,
          config.timeoutOf(route), config::streams, identity, tracing);
      // The prefix itself or anything below it; /api/catalogue is not /api/catalog. A path, not a regular
      // expression, which allocated a Matcher per request and route tried (with the routes once before these,
      // 2.3 KB of the 17.2 KB allocated per proxied request).
      String paths = route.prefix() + "/*";
      router.route(paths)
          .handler(taken(routeMeters.get(route.prefix())))
          .handler(authentication)
          .handler(protection.rateLimit(route.prefix(), metrics.rateLimited(route.prefix())));
      // A body of a streamed type goes to the proxy unread, which pipes it to the instance; any other is read whole
      // first. No chunk of a streamed body is lost before the proxy pauses the request, although Vert.x Web does
      // not pause it and Vert.x drops the chunks of a request neither paused nor read: every handler up to the
      // proxy runs within the event-loop task that delivered the headers, except a bearer token's check, which may
      // finish later and pauses the request meanwhile; what its resume lets go only flows in a later task, by which
      // time the proxy has paused the request again.
      router.route(paths)
          .handler(ctx -> {
            if (proxy.streams(ctx.request())) {
              ctx.next();
            } else if (BODILESS.contains(ctx.request().method())) {
              bodiless.handle(ctx);
            } else {
              buffered.handle(ctx);
            }
          })
          .handler(proxy);
    }
    Handler<RoutingContext> adminRateLimit = protection.rateLimit(Protection.ADMIN_PREFIX,
        metrics.rateLimited(Protection.ADMIN_PREFIX));
    // The dashboard's page and files hold no data and load without a credential (the page asks for it); its stream
    // is behind the admin authentication below.
    router.get(DashboardPage.PATH).handler(taken(routeMeters.get(Protection.ADMIN_PREFIX))).handler(adminRateLimit)
        .handler(DashboardPage::page);
    router.get(DashboardPage.ASSETS).handler(taken(routeMeters.get(Protection.ADMIN_PREFIX))).handler(adminRateLimit)
        .handler(DashboardPage.assets());
    router.get(DashboardPage.CHARTS).handler(taken(routeMeters.get(Protection.ADMIN_PREFIX))).handler(adminRateLimit)
        .handler(DashboardPage.charts());
    // The API's document and its page hold no data either, and load without a credential; they count against the
    // /admin rate limit like the dashboard's page.
    router.get(OpenApiDocument.PATH).handler(adminRateLimit).handler(document::serve);
    router.get(DocsPage.PATH).handler(taken(routeMeters.get(DocsPage.PATH))).handler(adminRateLimit)
        .handler(DocsPage::page);
    router.get(DocsPage.ASSETS).handler(taken(routeMeters.get(DocsPage.PATH))).handler(adminRateLimit)
        .handler(DocsPage.assets());
    router.get(DocsPage.SWAGGER_UI).handler(taken(routeMeters.get(DocsPage.PATH))).handler(adminRateLimit)
        .handler(DocsPage.swaggerUi());
    router.route(Protection.ADMIN_PREFIX + "/*")
        .handler(taken(routeMeters.get(Protection.ADMIN_PREFIX)))
        .handler(authentication)
        .handler(adminRateLimit);
    router.get("/admin/services").handler(admin::services);
    router.get("/admin/config").handler(admin::config);
    String instance = "/admin/services/:service/instances/:instance";
    BodyHandler adminBody = JsonBodies.limitedTo(BODILESS_MAX_BYTES);
    router.post(instance + "/drain").handler(operations::drain);
    router.post(instance + "/eject").handler(operations::eject);
    router.post(instance + "/restore").handler(operations::restore);
    router.put(instance + "/weight").handler(adminBody).handler(operations::setWeight);
    router.delete(instance + "/weight").handler(operations::clearWeight);
    router.post("/admin/services/:service/breaker/reset").handler(operations::resetBreaker);
    router.get(DashboardPage.STREAM).handler(new DashboardStream(dashboard));
  }

  /** Marks the requests of a route for the meters and the access log (see {@link RequestObserver}). */
  private static Handler<RoutingContext> taken(RouteMeters route) {
    return ctx -> {
      RequestObserver.route(ctx, route);
      ctx.next();
    };
  }

  @Override
  public Map<String, Supplier<Future<?>>> readiness() {
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    for (String service : config.services()) {
      checks.put(service, () -> directory.instances(service).isEmpty()
          ? Future.failedFuture("no instance discovered")
          : Future.succeededFuture(directory.instances(service).size() + " instances"));
    }
    return checks;
  }

  /**
   * Discovered is not serving: every instance of a service may be known and yet unhealthy or ejected (its requests
   * then get 503). The gateway stays ready (its other routes work) and says so.
   */
  @Override
  public Map<String, Supplier<Future<?>>> optionalReadiness() {
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    for (String service : config.services()) {
      checks.put(service + " in rotation", () -> {
        List<Upstream> instances = directory.instances(service);
        long now = System.currentTimeMillis();
        long available = instances.stream().filter(upstream -> upstream.available(now)).count();
        return available == 0 && !instances.isEmpty()
            ? Future.failedFuture("none of its " + instances.size() + " instances is healthy and in rotation")
            : Future.succeededFuture();
      });
    }
    return checks;
  }

  @Override
  public Future<Void> stop() {
    accessLog.close(); // the lines of the last requests are still written
    stopProtection.run();
    return eventStreams.close();
  }
}
