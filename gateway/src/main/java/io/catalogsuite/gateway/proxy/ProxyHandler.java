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
import java.util.function.Predicate;

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
 * timeout. The response is piped to the client as it comes, chunk by chunk: a server-sent event stream
 * ({@code text/event-stream}) flows through while the instance keeps it open, compressed or not (gzip flushes
 * each chunk); the route's timeout stops counting once the response has begun.
 *
 * <p><b>Streamed request bodies.</b> A request body is normally read whole first (up to
 * {@code GATEWAY_MAX_BODY_BYTES}, 413 beyond), so that it can be sent again on a retry. A body whose media type is
 * one of {@code GATEWAY_STREAMED_TYPES} ({@code application/x-ndjson} by default: bulk imports of 100 MB and
 * more) is piped to the instance instead, as it arrives, with back-pressure, never whole in memory; the gateway
 * does not limit its size (the instance enforces its own limit and may answer 413 at once: the client gets that
 * answer). Such a request is sent once and never retried, since its body cannot be replayed: a connection failure
 * gets the client a 502, a 502 or 503 from the instance is relayed. If the client breaks off its upload, the
 * upstream request is cut off too, so that the instance never takes a truncated body as whole. The route's
 * timeout counts from the end of the upload: the upload itself may take as long as the client needs, as long as
 * bytes flow (the gateway closes a client connection silent for {@code GATEWAY_CLIENT_IDLE_TIMEOUT_SECONDS}).
 * Authentication, rate limits, the circuit breaker, access log and metrics apply as to every request. See
 * {@link StreamedUpload}.
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
  /** Whether a request's {@code Content-Type} is one of the streamed media types. */
  private final Predicate<String> streamedType;

  public ProxyHandler(HttpClient client, Backend backend, GatewayConfig.Route route, long timeoutMs,
      Predicate<String> streamedType) {
    this.client = client;
    this.backend = backend;
    this.route = route;
    this.timeoutMs = timeoutMs;
    this.streamedType = streamedType;
  }

  /** Whether the request's body is streamed to the instance rather than read whole first (see above). */
  public boolean streams(HttpServerRequest request) {
    return streamedType.test(request.getHeader(HttpHeaders.CONTENT_TYPE));
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String method = ctx.request().method().name();
    ctx.put(AccessLog.ROUTE, route.prefix());
    ctx.addEndHandler(ended -> backend.metrics().request(route.prefix(), route.service(),
        ctx.get(AccessLog.UPSTREAM, "none"), method, ctx.response().getStatusCode(), System.nanoTime() - start));
    Exchange exchange;
    if (streams(ctx.request())) {
      exchange = new Exchange(ctx, RequestIds.of(ctx), null, new StreamedUpload(ctx));
    } else {
      Buffer body = ctx.body().buffer();
      exchange = new Exchange(ctx, RequestIds.of(ctx), body == null ? Buffer.buffer() : body, null);
    }
    backend.retryBudget().request(nowSecond());
    backend.breaker().<Integer>execute(() -> forward(exchange, 0))
        .onFailure(failure -> Problems.send(ctx, problem(failure)));
  }

  /**
   * One client request and what happened to it so far. Its body is either buffered, and can be sent again, or
   * streamed ({@code upload}), and goes to one instance at most.
   */
  private record Exchange(RoutingContext ctx, String requestId, Buffer body, StreamedUpload upload,
      Set<Upstream> tried) {
    Exchange(RoutingContext ctx, String requestId, Buffer body, StreamedUpload upload) {
      this(ctx, requestId, body, upload, new HashSet<>());
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
        .setHeaders(upstreamHeaders(ctx.request(), exchange.requestId()));
    if (exchange.upload() == null) {
      options.setIdleTimeout(timeoutMs); // from now on; a streamed request's, from the end of its upload
    }
    long sent = System.nanoTime();
    return client.request(options)
        .compose(request -> exchange.upload() == null
            ? request.send(exchange.body())
            : exchange.upload().sendTo(request, timeoutMs))
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
          if (exchange.upload() != null && exchange.upload().clientGone()) {
            // The client broke off its upload, so the gateway cut the upstream request: no fault of the instance.
            return Future.succeededFuture(StreamedUpload.CLIENT_CLOSED_REQUEST);
          }
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

  /**
   * Buffered (a streamed body cannot be sent again), idempotent, retries left, another instance to try, and the
   * service's retry budget allows it.
   */
  private boolean mayRetry(Exchange exchange, int retries) {
    if (exchange.upload() != null || !IDEMPOTENT.contains(exchange.ctx().request().method())
        || retries >= backend.resilience().maxRetries()
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
    Future<Void> piped = upstream.pipeTo(response);
    // A client that goes away mid-response stops the instance's response too: an event stream, say, would
    // otherwise run on into the void until the instance ends it.
    ctx.addEndHandler(ended -> {
      if (ended.failed() && !piped.isComplete()) {
        upstream.request().reset();
      }
    });
    return piped.recover(e -> {
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
