package io.catalogsuite.cache;

import com.hazelcast.config.Config;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.ClusterRole;
import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.Future;

/**
 * cache-service: defines the shared cache maps for the cluster and serves them over HTTP. Its API is described in
 * {@code openapi/cache-service.yaml}, served at {@code /openapi.json}.
 */
public final class CacheService implements Service {
  public static final String NAME = "cache-service";

  private final CacheConfig config;

  public CacheService(CacheConfig config) {
    this.config = config;
  }

  @Override
  public Future<Running> start(ServiceNode node) {
    OpenApiDocument document = OpenApiDocument.ofService(NAME);
    CacheMaps maps = new CacheMaps(node.vertx(), config, node.cluster().hazelcast());
    CacheApi api = new CacheApi(node.vertx(), maps, new ClusterMapStats(node.vertx(), node.cluster().hazelcast()));
    // The schemas first, off the partition threads that would otherwise send them with a result (CacheProtocol).
    return node.vertx().executeBlocking(() -> {
      CacheProtocol.replicateSchemas(node.cluster().hazelcast());
      return null;
    }).compose(v -> maps.define()).map(v -> new RunningCache(api, document));
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
}
