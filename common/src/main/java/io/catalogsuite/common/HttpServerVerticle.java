package io.catalogsuite.common;

import io.catalogsuite.common.http.ConnectionGuard;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.common.http.Health;
import io.catalogsuite.common.http.Problems;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One HTTP server on one event loop, serving a service's routes. A node deploys one per {@code HTTP_INSTANCES}. */
final class HttpServerVerticle extends VerticleBase {
  static final String INSTANCE_ID_HEADER = "X-Instance-Id";
  private static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final Service service;
  private final Health health;
  private final PrometheusMeterRegistry metrics;
  private final String instanceId;
  private final HttpTimeouts timeouts;
  private final Optional<GatewayIdentity> gatewayIdentity;
  private final String host;
  private final int port;
  private HttpServer server;

  HttpServerVerticle(Service service, Health health, PrometheusMeterRegistry metrics, String instanceId,
      HttpTimeouts timeouts, Optional<GatewayIdentity> gatewayIdentity, String host, int port) {
    this.service = service;
    this.health = health;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.timeouts = timeouts;
    this.gatewayIdentity = gatewayIdentity;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    Problems.install(router);
    health.mount(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    if (service.discoverable()) { // an instance behind the gateway: beyond the open endpoints above, its requests only
      gatewayIdentity.ifPresent(identity -> router.route().handler(identity.requireSigned()));
    }
    service.routes(router, vertx);
    // HTTP/1.1 only: no cleartext HTTP/2 (h2c upgrade or prior knowledge), a protocol path nothing here tests.
    // With tracing, the gateway starts a trace for every request it takes; an instance behind it only continues
    // the trace a request brings, so that the gateway's probes and the scrapes of /metrics make no traces.
    server = vertx.createHttpServer(service.serverOptions(new HttpServerOptions().setHttp2ClearTextEnabled(false)
            .setTracingPolicy(service.discoverable() ? TracingPolicy.PROPAGATE : TracingPolicy.ALWAYS))
        .setHost(host).setPort(port));
    return server
        .connectionHandler(connection -> ConnectionGuard.install(connection, timeouts))
        .invalidRequestHandler(Problems::invalidRequest)
        .requestHandler(request -> {
          // Stamped before routing, so every response (errors and 404s included) says who served it.
          request.response().putHeader(INSTANCE_ID_HEADER, instanceId);
          router.handle(request);
        })
        .listen();
  }

  /** Stops accepting connections and lets the requests in flight finish, for up to 10 s. */
  @Override
  public Future<?> stop() {
    return server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  /** The port actually bound; differs from the configured one when that was 0. */
  int actualPort() {
    return server.actualPort();
  }
}
