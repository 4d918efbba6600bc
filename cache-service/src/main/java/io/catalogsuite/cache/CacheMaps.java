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
import java.util.ArrayList;
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
 * <p>Two maps come from the deployment's configuration: {@code products} and {@code shared}. A map may be owned by
 * another service, which alone writes it and keeps its entries' rules: {@code products} is catalog-service's
 * ({@link io.catalogsuite.cacheprotocol.CachedProduct}s, keyed by product id). Through this service's API an owned
 * map is read-only, so no client can put a forged product in front of the catalog. Further maps an admin defines at
 * runtime ({@link MapDefinitions}).
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
      JsonObject description = settings.toJson();
      owner.ifPresent(service -> description.put("owner", service).put("readOnly", true));
      return description;
    }
  }

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  /** The maps the deployment's configuration defines. */
  private final Map<String, Served> configured = new LinkedHashMap<>();
  private final MapDefinitions runtime;

  CacheMaps(Vertx vertx, CacheConfig config, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    configured.put(CacheProtocol.PRODUCTS_MAP,
        new Served(CacheProtocol.PRODUCTS_MAP, config.products(), Optional.of("catalog-service")));
    configured.put(SHARED, new Served(SHARED, config.shared(), Optional.empty()));
    this.runtime = new MapDefinitions(vertx, hazelcast, config.definitionsFile(),
        definition -> hazelcast.getConfig().addMapConfig(mapConfig(definition.name(), definition.settings())));
  }

  /** Adds the configured maps to the cluster, then those defined at runtime. */
  Future<Void> define() {
    return vertx.executeBlocking(() -> {
      configured.values().forEach(map -> hazelcast.getConfig().addMapConfig(mapConfig(map.name(), map.settings())));
      return null;
    }).compose(v -> runtime.load());
  }

  private static MapConfig mapConfig(String name, MapSettings settings) {
    return new MapConfig(name)
        .setBackupCount(settings.backups())
        .setTimeToLiveSeconds(settings.ttlSeconds())
        .setStatisticsEnabled(true)
        .setEvictionConfig(new EvictionConfig()
            .setEvictionPolicy(settings.eviction())
            .setMaxSizePolicy(MaxSizePolicy.USED_HEAP_SIZE) // see MapSettings: memory, not a count
            .setSize(settings.maxMbPerMember()));
  }

  /** Every map: the configured ones, then those defined at runtime, by name. */
  List<Served> all() {
    List<Served> all = new ArrayList<>(configured.values());
    runtime.all().forEach((name, settings) -> all.add(new Served(name, settings, Optional.empty())));
    return all;
  }

  /** The map, or a 404 problem: only maps this service defines are reachable through its API. */
  Future<Served> served(String name) {
    Served map = configured.get(name);
    if (map != null) {
      return Future.succeededFuture(map);
    }
    return runtime.find(name).map(settings -> settings.map(s -> new Served(name, s, Optional.empty()))
        .orElseThrow(() -> ProblemException.notFound("no cache map named '" + name + "'; maps: "
            + all().stream().map(Served::name).toList())));
  }

  /** A map the API may write, or a 403 problem for one another service owns. */
  Future<Served> writable(String name) {
    return served(name).map(map -> {
      if (map.readOnly()) {
        throw ProblemException.forbidden("the map '" + name + "' belongs to " + map.owner().get()
            + ", which alone writes it; it is read-only here");
      }
      return map;
    });
  }

  /**
   * Defines a map at runtime, for the whole cluster and across restarts. A 409 problem for a name that is taken
   * (a configured map's, or one the cluster uses itself), a 400 for a name the API does not accept.
   */
  Future<MapDefinitions.Outcome> defineAtRuntime(String name, MapSettings settings) {
    if (configured.containsKey(name)) {
      return Future.failedFuture(ProblemException.conflict("the map '" + name + "' is defined by the deployment's"
          + " configuration, not at runtime"));
    }
    if (name.startsWith("__") || name.equals(MapDefinitions.REGISTRY)) {
      return Future.failedFuture(ProblemException.conflict("the map name '" + name + "' is the cluster's own"));
    }
    if (!MapDefinitions.NAME.matcher(name).matches()) {
      return Future.failedFuture(ProblemException.badRequest("a map's name is 1 to 63 lowercase letters, digits"
          + " and '-', starting with a letter or a digit; got '" + name + "'"));
    }
    return runtime.define(new MapDefinitions.MapDefinition(name, settings));
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

  void close() {
    runtime.close();
  }
}
