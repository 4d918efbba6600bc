package io.catalogsuite.cache;

import com.hazelcast.config.EvictionPolicy;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;

/**
 * The cache maps cache-service defines for the whole cluster, read once from the environment: {@code products},
 * which catalog-service owns (read-only through this service's API), and {@code shared}, a general-purpose map for
 * the API's clients. Maps an admin defines at runtime ({@code PUT /maps/{name}}) are kept in
 * {@code definitionsFile}, so that they outlive a restart of every cache-service member.
 *
 * @param products        {@code CACHE_MAX_MB}, {@code CACHE_TTL_SECONDS}, {@code CACHE_EVICTION},
 *                        {@code CACHE_BACKUPS}
 * @param shared          {@code CACHE_SHARED_MAX_MB}, {@code CACHE_SHARED_TTL_SECONDS},
 *                        {@code CACHE_SHARED_EVICTION}, and {@code CACHE_BACKUPS}
 * @param definitionsFile {@code CACHE_DEFINITIONS_FILE}, default {@code cache-maps.json} in the working directory
 */
public record CacheConfig(MapSettings products, MapSettings shared, Path definitionsFile) {
  static final int MAX_BACKUPS = 6;
  /** The most heap one map may take on one member, in MiB. */
  static final int MAX_MB_PER_MEMBER = 65_536;

  /**
   * How one map keeps its entries.
   *
   * <p>A map is bounded by memory, not by a number of entries: a few thousand 1 MiB values would fill every
   * member's heap under an entry count made for small ones. Hazelcast takes one size policy per map, and this is
   * it ({@code USED_HEAP_SIZE}: what the entries, stored serialized, and their backups take on each member). The
   * number of entries is bounded by it as well, since every entry costs its key, value and bookkeeping.
   *
   * @param eviction       {@code LRU} or {@code LFU}, once a member's copies of the map take {@code maxMbPerMember}
   * @param maxMbPerMember MiB of heap the map may take on each member before eviction starts
   * @param ttlSeconds     default time to live of an entry (0 = none)
   * @param backups        synchronous backup copies of each entry
   */
  public record MapSettings(EvictionPolicy eviction, int maxMbPerMember, int ttlSeconds, int backups) {
    public MapSettings {
      if (eviction != EvictionPolicy.LRU && eviction != EvictionPolicy.LFU) {
        throw new ConfigException("eviction must be LRU or LFU, got " + eviction);
      }
      if (maxMbPerMember < 1 || maxMbPerMember > MAX_MB_PER_MEMBER || ttlSeconds < 0 || backups < 0
          || backups > MAX_BACKUPS) {
        throw new ConfigException("a map takes 1 to " + MAX_MB_PER_MEMBER + " MiB per member, a TTL of 0 (none)"
            + " or more seconds, and 0 to " + MAX_BACKUPS + " backups; got " + maxMbPerMember + ", " + ttlSeconds
            + ", " + backups);
      }
    }

    /** As the API shows it and the definitions file keeps it. */
    JsonObject toJson() {
      return new JsonObject()
          .put("evictionPolicy", eviction.name())
          .put("maxMbPerMember", maxMbPerMember)
          .put("ttlSeconds", ttlSeconds)
          .put("backupCount", backups);
    }
  }

  public static CacheConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    env.retired("CACHE_MAPS", "'products' and 'shared' are always defined, and an admin defines further maps"
        + " with PUT /maps/{name}");
    env.retired("CACHE_MAX_SIZE", "maps are bounded by memory, set CACHE_MAX_MB (MiB per member) instead");
    env.retired("CACHE_SHARED_MAX_SIZE", "maps are bounded by memory, set CACHE_SHARED_MAX_MB (MiB per member)"
        + " instead");
    int backups = env.integer("CACHE_BACKUPS", 1, 0, MAX_BACKUPS);
    String definitions = env.string("CACHE_DEFINITIONS_FILE", "cache-maps.json");
    if (definitions.isBlank()) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE must name a file, got '" + definitions + "'");
    }
    return new CacheConfig(
        new MapSettings(env.choice("CACHE_EVICTION", EvictionPolicy.class, EvictionPolicy.LRU),
            env.integer("CACHE_MAX_MB", 32, 1, MAX_MB_PER_MEMBER),
            env.integer("CACHE_TTL_SECONDS", 600, 0, Integer.MAX_VALUE), backups),
        new MapSettings(env.choice("CACHE_SHARED_EVICTION", EvictionPolicy.class, EvictionPolicy.LFU),
            env.integer("CACHE_SHARED_MAX_MB", 16, 1, MAX_MB_PER_MEMBER),
            env.integer("CACHE_SHARED_TTL_SECONDS", 3_600, 0, Integer.MAX_VALUE), backups),
        Path.of(definitions));
  }
}
