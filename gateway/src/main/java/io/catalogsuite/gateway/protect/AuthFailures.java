package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.http.ProblemException;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Failed authentications, limited per client address ({@code AUTH_FAILURE_LIMIT}, {@code 30/m:20} by default: 20
 * at once, then one every 2 s), so that keys and tokens cannot be guessed at full speed. Every credential
 * refused costs a token, and the 401 says in its RateLimit headers how many are left; an address without tokens
 * gets a 429 with {@code Retry-After} for any credential it presents, before the credential is even checked, a
 * valid one too (a client behind the same address as a guesser waits with it). Requests without a credential
 * cost nothing: they guess nothing.
 */
final class AuthFailures {
  private final Optional<RateLimiter> limiter;

  AuthFailures(Optional<RateLimit> limit) {
    this.limiter = limit.map(l -> new RateLimiter("authentication failures", l, System::nanoTime));
  }

  /** A 429 for an address that has no failures left, before its credential is checked; empty otherwise. */
  Optional<ProblemException> refusal(RoutingContext ctx) {
    if (limiter.isEmpty()) {
      return Optional.empty();
    }
    long outcome = limiter.get().peek(Principal.addressOf(ctx.request()));
    if (RateLimiter.admitted(outcome)) {
      return Optional.empty();
    }
    RateLimitHandler.headers(ctx.response(), limiter.get(), outcome);
    long retryAfter = RateLimiter.retryAfterSeconds(outcome);
    return Optional.of(ProblemException.tooManyRequests("too many failed authentications from this address ("
        + limiter.get().limit().describe() + "); retry in " + retryAfter + " s").withRetryAfter(retryAfter));
  }

  /** Counts a refused credential against the address, and says in the response how many failures are left. */
  void failed(RoutingContext ctx) {
    limiter.ifPresent(l -> RateLimitHandler.headers(ctx.response(), l, l.acquire(Principal.addressOf(ctx.request()))));
  }

  /** Drops the buckets of addresses that have not failed for a while. */
  void evictIdle(long idleNanos) {
    limiter.ifPresent(l -> l.evictIdle(idleNanos));
  }
}
