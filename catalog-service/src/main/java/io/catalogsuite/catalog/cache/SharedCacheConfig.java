package io.catalogsuite.catalog.cache;

import io.catalogsuite.common.config.Env;
import java.util.Map;

/**
 * How catalog-service uses the shared {@code products} map, read once from the environment.
 *
 * @param missingTtlSeconds {@code CACHE_MISSING_TTL_SECONDS}: how long an unknown id is remembered as missing
 *                          (negative caching; 0 = off)
 * @param admissionWindowMs {@code CACHE_ADMISSION_WINDOW_MS}: a miss goes through the shared map, and fills the near
 *                          cache, only if the same product missed on this instance within this window before; a
 *                          first miss reads Postgres alone. 0: every miss goes through the shared map
 */
public record SharedCacheConfig(int missingTtlSeconds, int admissionWindowMs) {

  public static SharedCacheConfig fromEnv(Env env) {
    return new SharedCacheConfig(
        env.integer("CACHE_MISSING_TTL_SECONDS", 5, 0, 3600),
        env.integer("CACHE_ADMISSION_WINDOW_MS", 500, 0, 3_600_000));
  }

  /** The defaults, with unknown ids remembered for {@code missingTtlSeconds}. */
  public static SharedCacheConfig withMissingTtl(int missingTtlSeconds) {
    return new SharedCacheConfig(missingTtlSeconds, fromEnv(Env.of(Map.of())).admissionWindowMs());
  }
}
