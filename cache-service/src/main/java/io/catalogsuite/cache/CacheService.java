package io.catalogsuite.cache;

import com.hazelcast.config.Config;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.ClusterRole;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/**
 * cache-service: defines the shared cache maps for the cluster and serves them over HTTP. Its API is described in
 * {@code openapi/cache-service.yaml}, served at {@code /openapi.json}.
 */
public final class CacheService implements Service {
  public static final String NAME = "cache-service";
  static final long MAX_VALUE_BYTES = 1024 * 1024;
  static final long MAX_DEFINITION_BYTES = 4096;

  private final CacheConfig config;
  private CacheMaps maps;
  private CacheApi api;
  private OpenApiDocument document;
  private volatile boolean defined;

  public CacheService(CacheConfig config) {
    this.config = config;
  }

  @Override
  public Future<Void> start(ServiceNode node) {
    document = OpenApiDocument.ofService(NAME);
    maps = new CacheMaps(node.vertx(), config, node.cluster().hazelcast());
    api = new CacheApi(node.vertx(), maps, new ClusterMapStats(node.vertx(), node.cluster().hazelcast()));
    // The schemas first, off the partition threads that would otherwise send them with a result (CacheProtocol).
    return node.vertx().executeBlocking(() -> {
      CacheProtocol.replicateSchemas(node.cluster().hazelcast());
      return null;
    }).compose(v -> maps.define()).onSuccess(v -> defined = true);
  }

  /** The cache protocol's types travel in Compact form; this member stores them and runs their processors. */
  @Override
  public void configureCluster(Config hazelcast) {
    CacheProtocol.register(hazelcast);
  }

  /** cache-service members hold the cluster's data: the cache maps' entries, and the cluster's shared state. */
  @Override
  public ClusterRole clusterRole() {
    return ClusterRole.DATA;
  }

  @Override
  public void routes(Router router, Vertx vertx) {
    router.get("/maps").handler(api::listMaps);
    router.get("/maps/:map").handler(api::getMap);
    router.put("/maps/:map").handler(JsonBodies.limitedTo(MAX_DEFINITION_BYTES)).handler(api::defineMap);
    router.get("/maps/:map/stats").handler(api::mapStats);
    router.get("/maps/:map/entries/:key").handler(api::getEntry);
    router.put("/maps/:map/entries/:key").handler(JsonBodies.limitedTo(MAX_VALUE_BYTES)).handler(api::putEntry);
    router.delete("/maps/:map/entries/:key").handler(api::deleteEntry);
    router.get(OpenApiDocument.PATH).handler(document::serve);
  }

  @Override
  public Map<String, Supplier<Future<?>>> readiness() {
    return Map.of("maps", () -> defined ? Future.succeededFuture() : Future.failedFuture("maps not defined yet"));
  }
}
