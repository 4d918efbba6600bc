package io.catalogsuite.common;

import io.catalogsuite.common.http.ConnectionGuard;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.catalogsuite.common.http.Problems;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** One HTTP server on one event loop, serving a service's routes. A node deploys one per {@code HTTP_INSTANCES}. */
final class HttpServerVerticle extends VerticleBase {
  static final String INSTANCE_ID_HEADER = "X-Instance-Id";
  private static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final Service service;
  private final Function<Vertx, Router> routes;
  private final String instanceId;
  private final HttpTimeouts timeouts;
  private final String host;
  private final int port;
  private HttpServer server;

  /** {@code routes} makes the server's router, on its event loop ({@link ServiceNode#router(Vertx)}). */
  HttpServerVerticle(Service service, Function<Vertx, Router> routes, String instanceId, HttpTimeouts timeouts,
      String host, int port) {
    this.service = service;
    this.routes = routes;
    this.instanceId = instanceId;
    this.timeouts = timeouts;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = routes.apply(vertx);
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
