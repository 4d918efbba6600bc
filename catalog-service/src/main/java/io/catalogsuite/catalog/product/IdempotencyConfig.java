package io.catalogsuite.catalog.product;

import io.catalogsuite.common.config.Env;
import java.time.Duration;
import java.util.Map;

/**
 * How long {@code Idempotency-Key}s are kept, read once from the environment.
 *
 * @param keep       {@code IDEMPOTENCY_KEEP_HOURS}: a key is answered from its stored response this long; after
 *                   it, the key may be used again for a new write
 * @param purgeEvery {@code IDEMPOTENCY_PURGE_SECONDS}: how often each instance deletes the keys kept longer
 */
public record IdempotencyConfig(Duration keep, Duration purgeEvery) {

  public static IdempotencyConfig fromEnv(Env env) {
    return new IdempotencyConfig(
        Duration.ofHours(env.integer("IDEMPOTENCY_KEEP_HOURS", 24, 1, 24 * 30)),
        Duration.ofSeconds(env.integer("IDEMPOTENCY_PURGE_SECONDS", 60, 1, 3600)));
  }

  /** Every setting at its default. */
  public static IdempotencyConfig defaults() {
    return fromEnv(Env.of(Map.of()));
  }
}
