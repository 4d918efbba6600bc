package io.catalogsuite.cache;

import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.catalogsuite.common.cache.CacheCounters;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The cache maps this service owns: their definition in the cluster, and the lookup the API goes through.
 *
 * <p>Definitions are added to the running cluster as Hazelcast dynamic configuration, which every member
 * (gateway and catalog included, since they hold partitions too) applies and every new member receives on
 * join. Two cache-service instances adding the same definition is a no-op; different definitions fail the
 * second one at start, which is what we want.
 */
final class CacheMaps {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final CacheConfig config;
  private final HazelcastInstance hazelcast;

  CacheMaps(CacheConfig config, HazelcastInstance hazelcast) {
    this.config = config;
    this.hazelcast = hazelcast;
  }

  static void requireValidName(String name) {
    if (!NAME.matcher(name).matches() || name.startsWith("__")) {
      throw new ConfigException("cache map name must be 1-64 of [A-Za-z0-9._-] and not start with '__', got '"
          + name + "'");
    }
  }

  /** Adds the definitions to the cluster. Blocking in Hazelcast, so it runs on a worker thread. */
  Future<Void> define(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      config.maps().forEach(name -> hazelcast.getConfig().addMapConfig(mapConfig(name)));
      return null;
    });
  }

  MapConfig mapConfig(String name) {
    return new MapConfig(name)
        .setBackupCount(config.backups())
        .setTimeToLiveSeconds(config.ttlSeconds())
        .setStatisticsEnabled(true)
        .setEvictionConfig(new EvictionConfig()
            .setEvictionPolicy(config.eviction())
            .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
            .setSize(config.maxSizePerMember()));
  }

  List<String> names() {
    return config.maps();
  }

  /** The map, or a 404 problem: only maps this service defines are reachable through its API. */
  IMap<String, String> map(String name) {
    if (!config.maps().contains(name)) {
      throw ProblemException.notFound("no cache map named '" + name + "'; maps: " + config.maps());
    }
    return hazelcast.getMap(name);
  }

  /** Where this member counts the lookups of a map. */
  CacheCounters lookups(String name) {
    return CacheCounters.of(hazelcast, name);
  }

  JsonObject describe(String name) {
    return new JsonObject()
        .put("evictionPolicy", config.eviction().name())
        .put("maxSizePerMember", config.maxSizePerMember())
        .put("ttlSeconds", config.ttlSeconds())
        .put("backupCount", config.backups());
  }
}
