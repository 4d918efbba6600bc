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
 * @param products        {@code CACHE_MAX_SIZE}, {@code CACHE_TTL_SECONDS}, {@code CACHE_EVICTION},
 *                        {@code CACHE_BACKUPS}
 * @param shared          {@code CACHE_SHARED_MAX_SIZE}, {@code CACHE_SHARED_TTL_SECONDS},
 *                        {@code CACHE_SHARED_EVICTION}, and {@code CACHE_BACKUPS}
 * @param definitionsFile {@code CACHE_DEFINITIONS_FILE}, default {@code cache-maps.json} in the working directory
 */
public record CacheConfig(MapSettings products, MapSettings shared, Path definitionsFile) {
  static final int MAX_BACKUPS = 6;

  /**
   * How one map keeps its entries.
   *
   * @param eviction         {@code LRU} or {@code LFU}, once a member holds {@code maxSizePerMember} entries
   * @param maxSizePerMember entries per member before eviction starts
   * @param ttlSeconds       default time to live of an entry (0 = none)
   * @param backups          synchronous backup copies of each entry
   */
  public record MapSettings(EvictionPolicy eviction, int maxSizePerMember, int ttlSeconds, int backups) {
    public MapSettings {
      if (eviction != EvictionPolicy.LRU && eviction != EvictionPolicy.LFU) {
        throw new ConfigException("eviction must be LRU or LFU, got " + eviction);
      }
      if (maxSizePerMember < 1 || ttlSeconds < 0 || backups < 0 || backups > MAX_BACKUPS) {
        throw new ConfigException("a map holds at least 1 entry per member, a TTL of 0 (none) or more seconds, and"
            + " 0 to " + MAX_BACKUPS + " backups; got " + maxSizePerMember + ", " + ttlSeconds + ", " + backups);
      }
    }

    /** As the API shows it and the definitions file keeps it. */
    JsonObject toJson() {
      return new JsonObject()
          .put("evictionPolicy", eviction.name())
          .put("maxSizePerMember", maxSizePerMember)
          .put("ttlSeconds", ttlSeconds)
          .put("backupCount", backups);
    }
  }

  public static CacheConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    env.optional("CACHE_MAPS").ifPresent(value -> {
      throw new ConfigException("CACHE_MAPS is no longer read: 'products' and 'shared' are always defined, and an"
          + " admin defines further maps with PUT /maps/{name}; got '" + value + "'");
    });
    int backups = env.integer("CACHE_BACKUPS", 1, 0, MAX_BACKUPS);
    String definitions = env.string("CACHE_DEFINITIONS_FILE", "cache-maps.json");
    if (definitions.isBlank()) {
      throw new ConfigException("CACHE_DEFINITIONS_FILE must name a file, got '" + definitions + "'");
    }
    return new CacheConfig(
        new MapSettings(env.choice("CACHE_EVICTION", EvictionPolicy.class, EvictionPolicy.LRU),
            env.integer("CACHE_MAX_SIZE", 10_000, 1, Integer.MAX_VALUE),
            env.integer("CACHE_TTL_SECONDS", 600, 0, Integer.MAX_VALUE), backups),
        new MapSettings(env.choice("CACHE_SHARED_EVICTION", EvictionPolicy.class, EvictionPolicy.LFU),
            env.integer("CACHE_SHARED_MAX_SIZE", 10_000, 1, Integer.MAX_VALUE),
            env.integer("CACHE_SHARED_TTL_SECONDS", 3_600, 0, Integer.MAX_VALUE), backups),
        Path.of(definitions));
  }
}
