package io.catalogsuite.gateway.proxy;

import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Problems;
import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.AccessLog;
import io.catalogsuite.gateway.observe.RequestIds;
import io.vertx.circuitbreaker.OpenCircuitException;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Forwards the requests of one route to an instance of its service.
 *
 * <p>The instance comes from the service's load balancer, over the instances that are available (see
 * {@link Backend#candidates}). An idempotent request is retried on another instance, never on one it already
 * tried, when its connection fails before a response or the instance answers 502 or 503: after an exponential
 * backoff with jitter, up to {@link Resilience#maxRetries()} times, and only while the service's retry budget
 * lasts. So a killed instance costs no failed GET, and a struggling service gets no retry storm. The whole
 * exchange runs inside the service's circuit breaker: while it is open, requests get a 503 with
 * {@code Retry-After} at once.
 *
 * <p>The outcome is the upstream's response, or a problem: 503 when the service has no instance or its breaker
 * is open, 502 when no instance could be reached, 504 when the instance did not answer within the route's
 * timeout.
 */
public final class ProxyHandler implements Handler<RoutingContext> {
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
    ctx.put(AccessLog.ROUTE, route.prefix());
    ctx.addEndHandler(ended -> backend.metrics().request(route.prefix(), route.service(),
        ctx.get(AccessLog.UPSTREAM, "none"), method, ctx.response().getStatusCode(), System.nanoTime() - start));
    Buffer body = ctx.body().buffer();
    Exchange exchange = new Exchange(ctx, RequestIds.of(ctx), body == null ? Buffer.buffer() : body);
    backend.retryBudget().request(nowSecond());
    backend.breaker().<Integer>execute(() -> forward(exchange, 0))
        .onFailure(failure -> Problems.send(ctx, problem(failure)));
  }

  /** One client request and what happened to it so far. */
  private record Exchange(RoutingContext ctx, String requestId, Buffer body, Set<Upstream> tried) {
    Exchange(RoutingContext ctx, String requestId, Buffer body) {
      this(ctx, requestId, body, new HashSet<>());
    }
  }

  /** Sends the exchange to one instance; completes with the status relayed to the client. */
  private Future<Integer> forward(Exchange exchange, int retries) {
    RoutingContext ctx = exchange.ctx();
    Upstream upstream = choose(exchange.tried(), retries, affinityKey(ctx.request()));
    if (upstream == null) {
      return Future.failedFuture(exchange.tried().isEmpty()
          ? ProblemException.serviceUnavailable("no instance of " + route.service() + " is available")
          : ProblemException.badGateway("no instance of " + route.service() + " could be reached"));
    }
    exchange.tried().add(upstream);
    upstream.started();
    backend.metrics().picked(upstream);
    ctx.put(AccessLog.UPSTREAM, upstream.instanceId());
    RequestOptions options = new RequestOptions()
        .setMethod(ctx.request().method())
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setURI(upstreamUri(ctx))
        .setHeaders(upstreamHeaders(ctx.request(), exchange.requestId()))
        .setIdleTimeout(timeoutMs);
    long sent = System.nanoTime();
    return client.request(options)
        .compose(request -> request.send(exchange.body()))
        .transform(result -> {
          long now = System.currentTimeMillis();
          if (result.succeeded()) {
            HttpClientResponse response = result.result();
            int status = response.statusCode();
            if (status >= 500) {
              backend.failed(upstream, now);
            } else {
              upstream.succeeded((System.nanoTime() - sent) / 1_000_000);
            }
            if ((status == 502 || status == 503) && mayRetry(exchange, retries)) {
              // Drop this answer (read it fully so the connection can be reused) and ask another instance.
              return response.body().transform(ignored -> {
                upstream.finished();
                return retry(exchange, retries);
              });
            }
            return relay(ctx, response).transform(relayed -> {
              upstream.finished();
              return Future.succeededFuture(status);
            });
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
          if (mayRetry(exchange, retries)) {
            return retry(exchange, retries);
          }
          return Future.failedFuture(ProblemException.badGateway(
              route.service() + " instance " + upstream.instanceId() + " could not be reached"));
        });
  }

  /** Idempotent, retries left, another instance to try, and the service's retry budget allows it. */
  private boolean mayRetry(Exchange exchange, int retries) {
    if (!IDEMPOTENT.contains(exchange.ctx().request().method()) || retries >= backend.resilience().maxRetries()
        || backend.candidates(System.currentTimeMillis(), exchange.tried()).isEmpty()) {
      return false;
    }
    if (!backend.retryBudget().tryRetry(nowSecond())) {
      backend.metrics().retryBudgetExhausted(route.service());
      return false;
    }
    return true;
  }

  private Future<Integer> retry(Exchange exchange, int retries) {
    backend.metrics().retried(route.service());
    long backoff = backend.resilience().backoffMs(retries, ThreadLocalRandom.current().nextDouble());
    Future<Void> wait = backoff == 0 ? Future.succeededFuture() : exchange.ctx().vertx().timer(backoff);
    return wait.compose(v -> forward(exchange, retries + 1));
  }

  private ProblemException problem(Throwable failure) {
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (failure instanceof OpenCircuitException) {
      long retryAfter = Math.max(1, (backend.resilience().breakerResetMs() + 999) / 1000);
      return ProblemException.serviceUnavailable("the circuit breaker of " + route.service()
          + " is open after repeated failures; retry in " + retryAfter + " s").withRetryAfter(retryAfter);
    }
    return ProblemException.badGateway("the " + route.service() + " response failed");
  }

  private static long nowSecond() {
    return System.currentTimeMillis() / 1000;
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

  /**
   * The instance for an attempt, among those not tried yet; null when there is none. A first attempt is the
   * balancer's choice. A retry picks at random instead: through the balancer it would advance the rotation a
   * second time for one request, and every first attempt could keep landing on the same failing instance.
   */
  private Upstream choose(Set<Upstream> tried, int retries, String affinityKey) {
    List<Upstream> candidates = backend.candidates(System.currentTimeMillis(), tried);
    if (candidates.isEmpty()) {
      return null;
    }
    return retries == 0
        ? backend.balancer().pick(candidates, affinityKey)
        : candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
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
