package io.catalogsuite.catalog;

import static io.catalogsuite.testing.TestHttp.await;

import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real setup of the catalog's integration tests: a fresh database, one cache-service member, catalog-service
 * members started together (as a deployment would: the migration lock makes one of them apply the schema), and
 * an SQL client for looking behind the service's back.
 */
public final class CatalogCluster implements AutoCloseable {
  private final ServiceNode cache;
  private boolean cacheStopped;
  private final List<ServiceNode> catalogs;
  private final Vertx sqlVertx;
  private final SqlClient sql;
  private final PgConnectOptions database;
  private final Map<Integer, TestHttp> clients = new HashMap<>();

  private CatalogCluster(ServiceNode cache, List<ServiceNode> catalogs, Vertx sqlVertx, SqlClient sql,
      PgConnectOptions database) {
    this.cache = cache;
    this.catalogs = catalogs;
    this.sqlVertx = sqlVertx;
    this.sql = sql;
    this.database = database;
  }

  /** Starts {@code catalogs} catalog-service members that remember unknown ids for {@code missingTtlSeconds}. */
  public static CatalogCluster start(int catalogs, int missingTtlSeconds) {
    return start(catalogs, missingTtlSeconds, ImportConfig.defaults());
  }

  /** The same, with these import settings. */
  public static CatalogCluster start(int catalogs, int missingTtlSeconds, ImportConfig imports) {
    return start(catalogs, missingTtlSeconds, EventsConfig.defaults(), imports);
  }

  /** The same, with these event and import settings. */
  public static CatalogCluster start(int catalogs, int missingTtlSeconds, EventsConfig events,
      ImportConfig imports) {
    return start(catalogs, SharedCacheConfig.withMissingTtl(missingTtlSeconds), NearCacheConfig.defaults(), events,
        imports);
  }

  /** The same, with these cache, event and import settings. */
  public static CatalogCluster start(int catalogs, SharedCacheConfig sharedCache, NearCacheConfig nearCache,
      EventsConfig events, ImportConfig imports) {
    String database = TestPostgres.createDatabase();
    String cluster = TestNodes.uniqueClusterName();
    ServiceNode cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster),
        new CacheService(CacheConfig.fromEnv(Map.of()))));
    CatalogConfig config = new CatalogConfig(CatalogConfig.database(database), 4, sharedCache, nearCache,
        events, imports, IdempotencyConfig.defaults());
    List<Future<ServiceNode>> starting = new ArrayList<>();
    for (int i = 0; i < catalogs; i++) {
      starting.add(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster), new CatalogService(config)));
    }
    List<ServiceNode> started = starting.stream().map(TestHttp::await).toList();
    Vertx sqlVertx = Vertx.vertx();
    SqlClient sql = PgBuilder.client().connectingTo(config.database()).using(sqlVertx).build();
    return new CatalogCluster(cache, started, sqlVertx, sql, config.database());
  }

  /** A valid product in {@code category}, with a unique sku. */
  public static JsonObject newProduct(String category) {
    return new JsonObject().put("sku", "SKU-" + UUID.randomUUID()).put("name", "Desk lamp")
        .put("description", "Warm light").put("category", category).put("priceCents", 1999).put("currency", "EUR")
        .put("stock", 5).put("attributes", new JsonObject().put("watts", 40));
  }

  public ServiceNode cache() {
    return cache;
  }

  /** Stops the cache-service member: the catalog members are left without the cluster's data. */
  public void stopCache() {
    await(cache.stop());
    cacheStopped = true;
  }

  public ServiceNode catalog(int index) {
    return catalogs.get(index);
  }

  /** An HTTP client of catalog member {@code index}, closed with the cluster. */
  public TestHttp http(int index) {
    return clients.computeIfAbsent(index, i -> new TestHttp(catalogs.get(i).port()));
  }

  public SqlClient sql() {
    return sql;
  }

  /** Events the outbox relay has not published yet: not numbered, or numbered after what it recorded. */
  public long unpublishedEvents() {
    return await(sql.query("""
        SELECT count(*) FROM product_events
         WHERE position IS NULL OR position > (SELECT published FROM outbox_relay)""").execute())
        .iterator().next().getLong(0);
  }

  /** A connection of its own to the database (for LISTEN, say); the caller closes it. */
  public PgConnection connection() {
    return await(PgConnection.connect(sqlVertx, database));
  }

  @Override
  public void close() {
    clients.values().forEach(TestHttp::close);
    await(sql.close());
    await(sqlVertx.close());
    for (int i = catalogs.size() - 1; i >= 0; i--) {
      await(catalogs.get(i).stop());
    }
    if (!cacheStopped) {
      await(cache.stop());
    }
  }
}
