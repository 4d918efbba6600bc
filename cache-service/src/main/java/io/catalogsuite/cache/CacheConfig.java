package io.catalogsuite.cache;

import com.hazelcast.config.EvictionPolicy;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import java.util.List;
import java.util.Map;

/**
 * The cache maps cache-service defines for the whole cluster, read once from the environment.
 *
 * @param maps              {@code CACHE_MAPS}: the maps the cache serves; {@code products} is the catalog's
 * @param maxSizePerMember  {@code CACHE_MAX_SIZE}: entries per member before eviction starts
 * @param ttlSeconds        {@code CACHE_TTL_SECONDS}: default time to live of an entry (0 = none)
 * @param eviction          {@code CACHE_EVICTION}: {@code LRU} or {@code LFU}
 * @param backups           {@code CACHE_BACKUPS}: synchronous backup copies of each entry
 */
public record CacheConfig(List<String> maps, int maxSizePerMember, int ttlSeconds, EvictionPolicy eviction,
    int backups) {

  public CacheConfig {
    maps = List.copyOf(maps);
    if (maps.isEmpty()) {
      throw new ConfigException("CACHE_MAPS must name at least one map");
    }
    maps.forEach(CacheMaps::requireValidName);
    if (eviction != EvictionPolicy.LRU && eviction != EvictionPolicy.LFU) {
      throw new ConfigException("CACHE_EVICTION must be LRU or LFU, got " + eviction);
    }
  }

  public static CacheConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    return new CacheConfig(
        env.list("CACHE_MAPS", "products"),
        env.integer("CACHE_MAX_SIZE", 10_000, 1, Integer.MAX_VALUE),
        env.integer("CACHE_TTL_SECONDS", 600, 0, Integer.MAX_VALUE),
        env.choice("CACHE_EVICTION", EvictionPolicy.class, EvictionPolicy.LRU),
        env.integer("CACHE_BACKUPS", 1, 0, 6));
  }
}
