package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Problems;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Applies a route's rate limit to each client: the authenticated {@link Principal} when there is one, otherwise
 * the address the connection comes from ({@link Principal#clientOf}).
 * Every response says where the client stands, in the IETF {@code RateLimit-Limit}, {@code RateLimit-Remaining}
 * and {@code RateLimit-Reset} headers (draft-ietf-httpapi-ratelimit-headers); a request over the limit gets a
 * 429 problem with {@code Retry-After}.
 */
final class RateLimitHandler implements Handler<RoutingContext> {
  private final RateLimiter limiter;
  private final Counter rejected;

  RateLimitHandler(RateLimiter limiter, Counter rejected) {
    this.limiter = limiter;
    this.rejected = rejected;
  }

  /** Says where the client stands after {@code outcome}, in the RateLimit headers. */
  static HttpServerResponse headers(HttpServerResponse response, RateLimiter limiter, long outcome) {
    return response
        .putHeader("RateLimit-Limit", Integer.toString(limiter.limit().burst()))
        .putHeader("RateLimit-Remaining", Long.toString(limiter.remaining(outcome)))
        .putHeader("RateLimit-Reset", Long.toString(limiter.resetSeconds(outcome)));
  }

  @Override
  public void handle(RoutingContext ctx) {
    long outcome = limiter.acquire(Principal.clientOf(ctx));
    HttpServerResponse response = headers(ctx.response(), limiter, outcome);
    if (RateLimiter.admitted(outcome)) {
      ctx.next();
      return;
    }
    rejected.increment();
    long retryAfter = RateLimiter.retryAfterSeconds(outcome);
    response.putHeader("Retry-After", Long.toString(retryAfter));
    Problems.send(ctx, ProblemException.tooManyRequests("over the rate limit on " + limiter.route() + " ("
        + limiter.limit().describe() + "); retry in " + retryAfter + " s"));
  }

}
