package io.catalogsuite.gateway.proxy;

import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Problems;
import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.balance.Strategy;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.RequestIds;
import io.catalogsuite.gateway.observe.RequestObserver;
import io.catalogsuite.gateway.protect.Principal;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
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
 *
 * <p><b>Event streams</b> ({@code GET /api/catalog/events}, or any GET with {@code Accept: text/event-stream})
 * go through a pool of their own, with a per-client cap (see {@link EventStreams}).
 *
 * <p><b>How it reads.</b> {@link #handle} makes the {@link Exchange} and runs the retry loop ({@link #forward})
 * inside the breaker; each turn of the loop makes one {@link Attempt}, which the {@link Forwarder} carries out
 * (headers, bodies), and which ends its own accounting whatever happens; failures become problems once, in
 * {@link #problem}.
 */
public final class ProxyHandler implements Handler<RoutingContext> {
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.OPTIONS);
  /** What a stream refused for want of a connection may wait before it tries again. */
  private static final long STREAMS_FULL_RETRY_AFTER_SECONDS = 1;

  private final HttpClient client;
  private final EventStreams streams;
  private final Backend backend;
  private final GatewayConfig.Route route;
  private final long timeoutMs;
  /** Whether a request's {@code Content-Type} is one of the streamed media types. */
  private final Predicate<String> streamedType;
  private final Forwarder forwarder;

  public ProxyHandler(HttpClient client, EventStreams streams, Backend backend, GatewayConfig.Route route,
      long timeoutMs, Predicate<String> streamedType, Optional<GatewayIdentity> identity, boolean tracing) {
    this.client = client;
    this.streams = streams;
    this.backend = backend;
    this.route = route;
    this.timeoutMs = timeoutMs;
    this.streamedType = streamedType;
    this.forwarder = new Forwarder(route.prefix(), identity, tracing);
  }

  /** Whether the request's body is streamed to the instance rather than read whole first (see above). */
  public boolean streams(HttpServerRequest request) {
    return streamedType.test(request.getHeader(HttpHeaders.CONTENT_TYPE));
  }

  @Override
  public void handle(RoutingContext ctx) {
    String uri = forwarder.uri(ctx);
    MultiMap headers = forwarder.headers(ctx.request(), RequestIds.of(ctx), Principal.of(ctx));
    Exchange exchange;
    if (streams(ctx.request())) {
      exchange = Exchange.streamed(ctx, uri, headers);
    } else {
      exchange = Exchange.buffered(ctx, uri, headers, streams.requested(ctx));
    }
    if (exchange.eventStream() && !admitStream(ctx)) {
      return;
    }
    backend.retryBudget().request(nowSecond());
    backend.breaker().<Integer>execute(() -> forward(exchange, 0))
        .onFailure(failure -> Problems.send(ctx, problem(failure)));
  }

  /**
   * Counts the event stream against its client's cap until it ends; answers 429 and false beyond it. A stream
   * never ends by itself: when the gateway stops gracefully, its connection is closed at once (the client resumes
   * elsewhere with its Last-Event-ID) instead of holding the stop for its whole grace period.
   */
  private boolean admitStream(RoutingContext ctx) {
    String client = Principal.clientOf(ctx);
    if (!streams.tryOpen(client)) {
      Problems.send(ctx, ProblemException.tooManyRequests("at most " + streams.perClient()
          + " event streams may be open at once per client").withRetryAfter(STREAMS_FULL_RETRY_AFTER_SECONDS));
      return false;
    }
    ctx.addEndHandler(ended -> streams.closed(client));
    ctx.request().connection().shutdownHandler(v -> ctx.request().connection().close());
    return true;
  }

  /** The retry loop: one attempt, then another on a different instance while the attempt says to retry. */
  private Future<Integer> forward(Exchange exchange, int retries) {
    Upstream upstream = choose(exchange.tried(), retries, affinityKey(exchange.ctx().request()));
    if (upstream == null) {
      return Future.failedFuture(exchange.tried().isEmpty()
          ? ProblemException.serviceUnavailable("no instance of " + route.service() + " is available")
          : ProblemException.badGateway("no instance of " + route.service() + " could be reached"));
    }
    exchange.tried().add(upstream);
    RequestObserver.upstream(exchange.ctx(), upstream.instanceId());
    return attempt(exchange, Attempt.start(upstream, backend), retries)
        .compose(outcome -> outcome.retry() ? retry(exchange, retries) : Future.succeededFuture(outcome.status()));
  }

  /** What one attempt came to: a status relayed to the client, or a reason to try another instance. */
  private record Outcome(int status, boolean retry) {
    static final Outcome RETRY = new Outcome(0, true);

    static Outcome relayed(int status) {
      return new Outcome(status, false);
    }
  }

  /** Sends the exchange to the attempt's instance and relays or drops the answer; the attempt has ended after. */
  private Future<Outcome> attempt(Exchange exchange, Attempt attempt, int retries) {
    return forwarder.send(exchange.eventStream() ? streams.client() : client, exchange, attempt.upstream(), timeoutMs)
        .transform(sent -> sent.succeeded()
            ? answered(exchange, attempt, sent.result(), retries)
            : failed(exchange, attempt, sent.cause(), retries))
        .andThen(done -> attempt.end());
  }

  private Future<Outcome> answered(Exchange exchange, Attempt attempt, HttpClientResponse response, int retries) {
    int status = response.statusCode();
    attempt.answered(status);
    if ((status == 502 || status == 503) && mayRetry(exchange, retries)) {
      return forwarder.discard(response).map(Outcome.RETRY);
    }
    return forwarder.relay(exchange.ctx(), response).map(Outcome.relayed(status));
  }

  private Future<Outcome> failed(Exchange exchange, Attempt attempt, Throwable failure, int retries) {
    if (exchange.streamsBody() && exchange.upload().clientGone()) {
      // The client broke off its upload, so the gateway cut the upstream request: no fault of the instance.
      return Future.succeededFuture(Outcome.relayed(StreamedUpload.CLIENT_CLOSED_REQUEST));
    }
    if (failure instanceof ConnectionPoolTooBusyException) {
      return Future.failedFuture(new EventStreams.Full(attempt.upstream()));
    }
    if (failure instanceof TimeoutException) {
      attempt.timedOut();
      return Future.failedFuture(ProblemException.gatewayTimeout(
          route.service() + " did not answer within " + timeoutMs + " ms"));
    }
    if (!isConnectionFailure(failure)) {
      return Future.failedFuture(failure);
    }
    attempt.unreachable();
    if (mayRetry(exchange, retries)) {
      return Future.succeededFuture(Outcome.RETRY);
    }
    return Future.failedFuture(ProblemException.badGateway(
        route.service() + " instance " + attempt.upstream().instanceId() + " could not be reached"));
  }

  /**
   * Buffered (a streamed body cannot be sent again), idempotent, retries left, another instance to try, and the
   * service's retry budget allows it.
   */
  private boolean mayRetry(Exchange exchange, int retries) {
    if (exchange.streamsBody() || !IDEMPOTENT.contains(exchange.ctx().request().method())
        || retries >= backend.resilience().maxRetries()
        || backend.candidates(System.currentTimeMillis(), exchange.tried()).isEmpty()) {
      return false;
    }
    if (!backend.retryBudget().tryRetry(nowSecond())) {
      backend.retryBudgetExhausted().increment();
      return false;
    }
    return true;
  }

  private Future<Integer> retry(Exchange exchange, int retries) {
    backend.retries().increment();
    long backoff = backend.resilience().backoffMs(retries, ThreadLocalRandom.current().nextDouble());
    Future<Void> wait = backoff == 0 ? Future.succeededFuture() : exchange.ctx().vertx().timer(backoff);
    return wait.compose(v -> forward(exchange, retries + 1));
  }

  /** The one place where a failure of the exchange becomes the client's answer. */
  private ProblemException problem(Throwable failure) {
    if (failure instanceof ProblemException problem) {
      return problem;
    }
    if (failure instanceof OpenCircuitException) {
      long retryAfter = Math.max(1, (backend.resilience().breakerResetMs() + 999) / 1000);
      return ProblemException.serviceUnavailable("the circuit breaker of " + route.service()
          + " is open after repeated failures; retry in " + retryAfter + " s").withRetryAfter(retryAfter);
    }
    if (failure instanceof EventStreams.Full full) {
      return ProblemException.serviceUnavailable(full.getMessage())
          .withRetryAfter(STREAMS_FULL_RETRY_AFTER_SECONDS);
    }
    return ProblemException.badGateway("the " + route.service() + " response failed");
  }

  private static long nowSecond() {
    return System.currentTimeMillis() / 1000;
  }

  /** What consistent hashing keys on: the configured header, else the client address; null for other strategies. */
  private String affinityKey(HttpServerRequest request) {
    if (backend.balancing().strategy() != Strategy.CONSISTENT_HASH) {
      return null;
    }
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
}
