package io.catalogsuite.gateway.discovery;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.catalogsuite.gateway.Doubling;

/**
 * When the gateway stops and starts sending requests to an instance.
 *
 * @param ejectAfterFailures  {@code EJECT_AFTER_FAILURES}: consecutive failures (connection failures, 5xx,
 *                            timeouts) that eject an instance (passive health)
 * @param ejectBaseMs         {@code EJECT_BASE_MS}: the first ejection's length; each consecutive one doubles it
 * @param ejectMaxMs          {@code EJECT_MAX_MS}: the longest ejection
 * @param panicPercent        {@code PANIC_THRESHOLD_PERCENT}: never eject more than this share of a service's
 *                            instances; and when fewer than this share are available, balance over all of them
 * @param probeIntervalMs     {@code HEALTH_PROBE_INTERVAL_MS}: how often every instance's {@code /health} is probed
 * @param unhealthyAfter      {@code HEALTH_UNHEALTHY_AFTER}: failed probes in a row that make an instance unhealthy
 * @param healthyAfter        {@code HEALTH_HEALTHY_AFTER}: passed probes in a row that make it healthy again
 * @param slowStartMs         {@code SLOW_START_MS}: how long a new or returning instance's share ramps up (0 = off)
 */
public record HealthPolicy(int ejectAfterFailures, long ejectBaseMs, long ejectMaxMs, int panicPercent,
    long probeIntervalMs, int unhealthyAfter, int healthyAfter, long slowStartMs) {

  public HealthPolicy {
    ConfigException.require(ejectBaseMs <= ejectMaxMs,
        "EJECT_BASE_MS (%d) must not exceed EJECT_MAX_MS (%d): the first ejection would be longer than the longest",
        ejectBaseMs, ejectMaxMs);
  }

  /** The smallest share of traffic an instance in slow start gets. */
  static final double SLOW_START_MIN_SHARE = 0.1;

  public static HealthPolicy fromEnv(Env env) {
    return new HealthPolicy(
        env.integer("EJECT_AFTER_FAILURES", 5, 1, 1000),
        env.integer("EJECT_BASE_MS", 5_000, 1, 3_600_000),
        env.integer("EJECT_MAX_MS", 60_000, 1, 3_600_000),
        env.integer("PANIC_THRESHOLD_PERCENT", 50, 0, 100),
        env.integer("HEALTH_PROBE_INTERVAL_MS", 1_000, 10, 600_000),
        env.integer("HEALTH_UNHEALTHY_AFTER", 2, 1, 100),
        env.integer("HEALTH_HEALTHY_AFTER", 2, 1, 100),
        env.integer("SLOW_START_MS", 10_000, 0, 3_600_000));
  }

  /** How long the {@code n}-th consecutive ejection (1-based) lasts: base · 2^(n-1), at most the maximum. */
  long ejectionMs(int n) {
    return Doubling.capped(ejectBaseMs, n - 1, ejectMaxMs);
  }
}
