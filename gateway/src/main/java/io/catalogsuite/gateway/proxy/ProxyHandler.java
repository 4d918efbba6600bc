package io.catalogsuite.gateway.proxy;

import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Problems;
import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.AccessLog;
import io.catalogsuite.gateway.observe.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Forwards the requests of one route to an instance of its service.
 *
 * <p>The instance comes from the route's {@link LoadBalancer}, over the instances in rotation. A request whose
 * connection fails before any response (refused, reset, closed) takes that instance out of rotation and, if
 * its method is idempotent, is retried once on another instance: so a killed instance costs no failed GET.
 * The outcome is the upstream's response, or a problem: 503 when the service has no instance, 502 when no
 * instance could be reached, 504 when the instance did not answer within the upstream timeout.
 */
public final class ProxyHandler implements Handler<RoutingContext> {
  private static final int MAX_ATTEMPTS = 2;
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.OPTIONS);
  /** Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");

  private final HttpClient client;
  private final Backend backend;
  private final GatewayConfig.Route route;
  private final long timeoutMs;

  public ProxyHandler(HttpClient client, Backend backend, GatewayConfig.Route route, long timeoutMs) {
    this.client = client;
    this.backend = backend;
    this.route = route;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String method = ctx.request().method().name();
    ctx.addEndHandler(ended -> backend.metrics().request(route.prefix(), route.service(),
        ctx.get(AccessLog.UPSTREAM, "none"), method, ctx.response().getStatusCode(), System.nanoTime() - start));
    String requestId = RequestIds.of(ctx);
    Buffer body = ctx.body().buffer();
    forward(ctx, requestId, body == null ? Buffer.buffer() : body, new HashSet<>(), 1)
        .onFailure(failure -> Problems.send(ctx, failure instanceof ProblemException problem ? problem
            : ProblemException.badGateway("the " + route.service() + " response failed")));
  }

  private Future<Void> forward(RoutingContext ctx, String requestId, Buffer body, Set<Upstream> tried,
      int attempt) {
    Upstream upstream = choose(tried, affinityKey(ctx.request()));
    if (upstream == null) {
      return Future.failedFuture(tried.isEmpty()
          ? ProblemException.serviceUnavailable("no instance of " + route.service() + " is available")
          : ProblemException.badGateway("no instance of " + route.service() + " could be reached"));
    }
    tried.add(upstream);
    upstream.started();
    backend.metrics().picked(upstream);
    ctx.put(AccessLog.UPSTREAM, upstream.instanceId());
    HttpMethod method = ctx.request().method();
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(upstreamUri(ctx))
        .setHeaders(upstreamHeaders(ctx.request(), requestId))
        .setIdleTimeout(timeoutMs);
    long sent = System.nanoTime();
    return client.request(options)
        .compose(request -> request.send(body))
        .transform(result -> {
          long now = System.currentTimeMillis();
          if (result.succeeded()) {
            HttpClientResponse response = result.result();
            if (response.statusCode() >= 500) {
              backend.failed(upstream, now);
            } else {
              upstream.succeeded((System.nanoTime() - sent) / 1_000_000);
            }
            return relay(ctx, response).onComplete(relayed -> upstream.finished());
          }
          upstream.finished();
          Throwable failure = result.cause();
          if (failure instanceof TimeoutException) {
            backend.failed(upstream, now); // slow is not dead: it stays healthy, but may be ejected
            return Future.failedFuture(ProblemException.gatewayTimeout(
                route.service() + " did not answer within " + timeoutMs + " ms"));
          }
          if (!isConnectionFailure(failure)) {
            return Future.failedFuture(failure);
          }
          upstream.unreachable();
          backend.failed(upstream, now);
          if (IDEMPOTENT.contains(method) && attempt < MAX_ATTEMPTS) {
            backend.metrics().retried(route.service());
            return forward(ctx, requestId, body, tried, attempt + 1);
          }
          return Future.failedFuture(ProblemException.badGateway(
              route.service() + " instance " + upstream.instanceId() + " could not be reached"));
        });
  }

  /** What consistent hashing keys on: the configured header, else the client address. */
  private String affinityKey(HttpServerRequest request) {
    String header = backend.balancing().hashHeader();
    String key = header == null ? null : request.getHeader(header);
    if (key == null && request.remoteAddress() != null) {
      key = request.remoteAddress().hostAddress();
    }
    return key;
  }

  /** The balancer's choice among the candidates not tried yet for this request; null when there is none. */
  private Upstream choose(Set<Upstream> tried, String affinityKey) {
    List<Upstream> candidates = backend.candidates(System.currentTimeMillis(), tried);
    return candidates.isEmpty() ? null : backend.balancer().pick(candidates, affinityKey);
  }

  /**
   * The connection failed before a response arrived: refused or timed out while connecting
   * ({@link java.net.ConnectException}, an {@link IOException}), reset by a peer that died mid-request
   * (an {@link IOException}), or closed ({@link HttpClosedException}).
   */
  private static boolean isConnectionFailure(Throwable failure) {
    return failure instanceof IOException || failure instanceof HttpClosedException;
  }

  private Future<Void> relay(RoutingContext ctx, HttpClientResponse upstream) {
    HttpServerResponse response = ctx.response();
    response.setStatusCode(upstream.statusCode()).setStatusMessage(upstream.statusMessage());
    // The upstream's headers replace the gateway's own of the same name: X-Instance-Id names who served it.
    upstream.headers().names().forEach(name -> response.headers().remove(name));
    upstream.headers().forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        response.headers().add(name, value);
      }
    });
    boolean hasBody = ctx.request().method() != HttpMethod.HEAD && upstream.statusCode() != 204
        && upstream.statusCode() != 304;
    if (hasBody && !upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      response.setChunked(true);
    }
    return upstream.pipeTo(response).recover(e -> {
      response.reset(); // the upstream broke off mid-body: the client must not take a truncated body as whole
      return Future.succeededFuture();
    });
  }

  /** The request's path without the route prefix (at least "/"), and its query. */
  private String upstreamUri(RoutingContext ctx) {
    String path = ctx.normalizedPath().substring(route.prefix().length());
    String query = ctx.request().query();
    return (path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
  }

  private MultiMap upstreamHeaders(HttpServerRequest request, String requestId) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    request.headers().forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !lower.equals("host") && !lower.equals("content-length")
          && !lower.startsWith("x-forwarded-")) {
        headers.add(name, value);
      }
    });
    String forwardedFor = request.getHeader("X-Forwarded-For");
    String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    headers.set("X-Forwarded-For", forwardedFor == null ? client : forwardedFor + ", " + client);
    headers.set("X-Forwarded-Proto", request.scheme());
    if (request.authority() != null) {
      headers.set("X-Forwarded-Host", request.authority().toString());
    }
    headers.set("X-Forwarded-Prefix", route.prefix());
    headers.set(RequestIds.HEADER, requestId);
    return headers;
  }
}
