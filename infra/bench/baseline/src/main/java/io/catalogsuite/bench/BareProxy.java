package io.catalogsuite.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.OriginRequestProvider;
import java.util.Arrays;
import java.util.List;

/**
 * The yardstick of the gateway benchmark ({@code infra/bench/gateway.sh}): the least a reverse proxy on Vert.x can
 * be. Eclipse Vert.x's own {@code vertx-http-proxy} over the same HTTP server and client the gateway uses, set up
 * as the gateway's are (the native transport, one server and one client per event loop, 64 keep-alive connections
 * per instance), round-robin over fixed instances, and nothing else: no routing, no authentication, no rate limit,
 * no health, no retries, no metrics, no access log. What the gateway costs above it is its features; what this
 * costs above nginx is the HTTP stack's.
 *
 * <p>Environment: {@code ORIGINS} (instances, {@code host:port,host:port}), {@code HTTP_PORT} ({@code 0}, the
 * default, binds a free port) and {@code HTTP_INSTANCES} (event loops; the processors, as the gateway's default).
 * Once it serves it prints one line, {@code bare proxy listening on port <port>}.
 */
public final class BareProxy extends VerticleBase {
  /** As the gateway's {@code UPSTREAM_CONNECTIONS_PER_INSTANCE}. */
  static final int CONNECTIONS_PER_ORIGIN = 64;

  private final List<SocketAddress> origins;
  private final int port;
  /** This event loop's turn; each server is its own loop's alone. */
  private int next;
  private HttpServer server;

  private BareProxy(List<SocketAddress> origins, int port) {
    this.origins = origins;
    this.port = port;
  }

  public static void main(String[] args) {
    String origins = System.getenv("ORIGINS");
    if (origins == null || origins.isBlank()) {
      System.err.println("bare proxy: set ORIGINS to host:port,host:port");
      System.exit(2);
    }
    int port = Integer.parseInt(System.getenv().getOrDefault("HTTP_PORT", "0"));
    int instances = Integer.parseInt(System.getenv().getOrDefault("HTTP_INSTANCES",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    start(vertx, parse(origins), port, instances)
        .onSuccess(bound -> System.out.println("bare proxy listening on port " + bound
            + (vertx.isNativeTransportEnabled() ? " (native transport)" : " (Java NIO)")))
        .onFailure(e -> {
          System.err.println("bare proxy did not start: " + e.getMessage());
          System.exit(1);
        });
  }

  static List<SocketAddress> parse(String origins) {
    return Arrays.stream(origins.split(",")).map(String::trim).map(origin -> {
      int colon = origin.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("ORIGINS: not host:port: " + origin);
      }
      return SocketAddress.inetSocketAddress(Integer.parseInt(origin.substring(colon + 1)),
          origin.substring(0, colon));
    }).toList();
  }

  /** Deploys {@code instances} proxies on {@code port}; completes with the port they bound. */
  static Future<Integer> start(Vertx vertx, List<SocketAddress> origins, int port, int instances) {
    return SharedPort.deploy(vertx, port, instances, shared -> new BareProxy(origins, shared),
        proxy -> proxy.server.actualPort());
  }

  @Override
  public Future<?> start() {
    HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_ORIGIN)));
    proxy.origin(OriginRequestProvider.selector(context -> {
      next = (next + 1) % origins.size();
      return Future.succeededFuture(origins.get(next));
    }));
    server = vertx.createHttpServer(new HttpServerOptions().setPort(port));
    return server.requestHandler(proxy).listen();
  }
}
