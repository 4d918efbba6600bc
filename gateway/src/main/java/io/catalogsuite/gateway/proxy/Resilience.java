package io.catalogsuite.gateway.proxy;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.catalogsuite.gateway.Doubling;

/**
 * Retries and circuit breaking, the same for every service.
 *
 * @param maxRetries           {@code RETRY_MAX}: retries of one request at most (idempotent methods only)
 * @param backoffBaseMs        {@code RETRY_BACKOFF_MS}: the first retry waits up to this long (full jitter)
 * @param backoffMaxMs         {@code RETRY_BACKOFF_MAX_MS}: no retry waits longer
 * @param budgetPercent        {@code RETRY_BUDGET_PERCENT}: retries at most this share of a service's requests
 *                             over the last 10 s
 * @param budgetMinRetries     {@code RETRY_BUDGET_MIN}: retries allowed in any 10 s whatever the traffic, so
 *                             a quiet service can still retry
 * @param breakerMaxFailures   {@code BREAKER_MAX_FAILURES}: failed requests (after retries) within
 *                             {@code BREAKER_WINDOW_MS} that open a service's circuit breaker
 * @param breakerWindowMs      {@code BREAKER_WINDOW_MS}: the rolling window failures are counted in
 * @param breakerResetMs       {@code BREAKER_RESET_MS}: how long it stays open before a half-open probe request
 */
public record Resilience(int maxRetries, long backoffBaseMs, long backoffMaxMs, int budgetPercent,
    int budgetMinRetries, int breakerMaxFailures, long breakerWindowMs, long breakerResetMs) {

  public Resilience {
    ConfigException.require(backoffBaseMs <= backoffMaxMs,
        "RETRY_BACKOFF_MS (%d) must not exceed RETRY_BACKOFF_MAX_MS (%d)", backoffBaseMs, backoffMaxMs);
  }

  public static Resilience fromEnv(Env env) {
    return new Resilience(
        env.integer("RETRY_MAX", 2, 0, 10),
        env.integer("RETRY_BACKOFF_MS", 25, 0, 60_000),
        env.integer("RETRY_BACKOFF_MAX_MS", 250, 0, 60_000),
        env.integer("RETRY_BUDGET_PERCENT", 20, 0, 100),
        env.integer("RETRY_BUDGET_MIN", 3, 0, 1_000_000),
        env.integer("BREAKER_MAX_FAILURES", 20, 1, 1_000_000),
        env.integer("BREAKER_WINDOW_MS", 10_000, 100, 3_600_000),
        env.integer("BREAKER_RESET_MS", 10_000, 1, 3_600_000));
  }

  /** Exponential backoff with full jitter: a random wait in [0, min(max, base·2^retry)). */
  public long backoffMs(int retry, double random) {
    return (long) (Doubling.capped(backoffBaseMs, retry, backoffMaxMs) * random);
  }
}
