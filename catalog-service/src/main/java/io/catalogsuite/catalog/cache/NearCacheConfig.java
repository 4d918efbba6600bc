package io.catalogsuite.catalog.cache;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;

/**
 * The near cache every catalog instance keeps in front of the shared map, read once from the environment.
 *
 * @param maxEntries {@code NEAR_CACHE_MAX_ENTRIES}: products it holds at most; 0 turns the near cache off
 * @param maxBytes   {@code NEAR_CACHE_MAX_BYTES}: the products' JSON it holds at most, in bytes
 * @param ttlSeconds {@code NEAR_CACHE_TTL_SECONDS}: how long an entry is kept at most, invalidated or not
 * @param leaseMs    {@code NEAR_CACHE_LEASE_MS}: how long an instance may serve near-cache hits after the other
 *                   instances last confirmed that it has every invalidation; also the longest a write waits for an
 *                   instance that does not answer
 */
public record NearCacheConfig(int maxEntries, long maxBytes, int ttlSeconds, int leaseMs) {
  public NearCacheConfig {
    if (maxEntries > 0 && maxBytes < maxEntries) {
      throw new ConfigException("NEAR_CACHE_MAX_BYTES (" + maxBytes + ") must be at least NEAR_CACHE_MAX_ENTRIES ("
          + maxEntries + "): at least a byte per entry");
    }
  }

  public static NearCacheConfig fromEnv(Env env) {
    return new NearCacheConfig(
        env.integer("NEAR_CACHE_MAX_ENTRIES", 10_000, 0, 10_000_000),
        env.integer("NEAR_CACHE_MAX_BYTES", 32 * 1024 * 1024, 1, Integer.MAX_VALUE),
        env.integer("NEAR_CACHE_TTL_SECONDS", 300, 1, 86_400),
        env.integer("NEAR_CACHE_LEASE_MS", 1_000, 100, 60_000));
  }

  public static NearCacheConfig defaults() {
    return fromEnv(Env.of(java.util.Map.of()));
  }

  public boolean enabled() {
    return maxEntries > 0;
  }

  /** How often an instance renews its lease: five times per lease, so that one late answer costs no hit. */
  long renewMs() {
    return Math.max(20, leaseMs / 5);
  }
}
