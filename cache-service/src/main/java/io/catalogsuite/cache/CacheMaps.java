package io.catalogsuite.cache;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.catalogsuite.cache.CacheConfig.MapSettings;
import io.catalogsuite.cacheprotocol.CacheCounters;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cache maps this service defines, and the lookup its API goes through.
 *
 * <p>Definitions are added to the running cluster as Hazelcast dynamic configuration, which every member applies
 * and every new member receives on join. Two cache-service instances adding the same definition is a no-op;
 * different definitions fail the second one at start, which is what we want.
 *
 * <p>A map may be owned by another service, which alone writes it and keeps its entries' rules: {@code products}
 * is catalog-service's ({@link io.catalogsuite.cacheprotocol.CachedProduct}s, keyed by product id). Through this
 * service's API an owned map is read-only, so no client can put a forged product in front of the catalog.
 */
final class CacheMaps {
  /** The general-purpose map for the API's clients. */
  static final String SHARED = "shared";

  /**
   * A map as the API serves it.
   *
   * @param owner the service that owns it, for a map that is read-only here
   */
  record Served(String name, MapSettings settings, Optional<String> owner) {
    boolean readOnly() {
      return owner.isPresent();
    }

    JsonObject describe() {
      JsonObject description = new JsonObject()
          .put("evictionPolicy", settings.eviction().name())
          .put("maxSizePerMember", settings.maxSizePerMember())
          .put("ttlSeconds", settings.ttlSeconds())
          .put("backupCount", settings.backups());
      owner.ifPresent(service -> description.put("owner", service).put("readOnly", true));
      return description;
    }
  }

  private final HazelcastInstance hazelcast;
  private final Map<String, Served> maps = new LinkedHashMap<>();

  CacheMaps(CacheConfig config, HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    maps.put(CacheProtocol.PRODUCTS_MAP,
        new Served(CacheProtocol.PRODUCTS_MAP, config.products(), Optional.of("catalog-service")));
    maps.put(SHARED, new Served(SHARED, config.shared(), Optional.empty()));
  }

  /** Adds the definitions to the cluster. Blocking in Hazelcast, so it runs on a worker thread. */
  Future<Void> define(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      maps.values().forEach(map -> hazelcast.getConfig().addMapConfig(mapConfig(map)));
      return null;
    });
  }

  private static MapConfig mapConfig(Served map) {
    return new MapConfig(map.name())
        .setBackupCount(map.settings().backups())
        .setTimeToLiveSeconds(map.settings().ttlSeconds())
        .setStatisticsEnabled(true)
        .setEvictionConfig(new EvictionConfig()
            .setEvictionPolicy(map.settings().eviction())
            .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
            .setSize(map.settings().maxSizePerMember()));
  }

  List<Served> all() {
    return List.copyOf(maps.values());
  }

  /** The map, or a 404 problem: only maps this service defines are reachable through its API. */
  Served served(String name) {
    Served map = maps.get(name);
    if (map == null) {
      throw ProblemException.notFound("no cache map named '" + name + "'; maps: " + maps.keySet());
    }
    return map;
  }

  /** A map the API may write, or a 403 problem for one another service owns. */
  Served writable(String name) {
    Served map = served(name);
    if (map.readOnly()) {
      throw ProblemException.forbidden("the map '" + name + "' belongs to " + map.owner().get()
          + ", which alone writes it; it is read-only here");
    }
    return map;
  }

  /** A map whose values this API stores: JSON text. */
  IMap<String, String> jsonMap(Served map) {
    return hazelcast.getMap(map.name());
  }

  /** The products map, as catalog-service keeps it. */
  IMap<Long, Object> productsMap() {
    return hazelcast.getMap(CacheProtocol.PRODUCTS_MAP);
  }

  /** Where this member counts the lookups of a map. */
  CacheCounters lookups(String name) {
    return CacheCounters.of(hazelcast, name);
  }
}
