package io.catalogsuite.catalog;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.catalog.cache.ProductCache;
import io.catalogsuite.catalog.db.Migrations;
import io.catalogsuite.catalog.events.EventStreams;
import io.catalogsuite.catalog.events.OutboxRelay;
import io.catalogsuite.catalog.imports.ImportHandlers;
import io.catalogsuite.catalog.product.IdempotencyPurge;
import io.catalogsuite.catalog.product.ProductHandlers;
import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * catalog-service: products in Postgres, read cache-aside through the shared Hazelcast cache; every change an
 * event, relayed from the outbox to the cache (invalidation) and to {@code GET /events}; bulk imports over the
 * clustered event bus. Its API is described in {@code openapi/catalog-service.yaml}, served at {@code /openapi.json}.
 */
public final class CatalogService implements Service {
  public static final String NAME = "catalog-service";
  private static final Logger log = LoggerFactory.getLogger(CatalogService.class);

  private final CatalogConfig config;

  public CatalogService(CatalogConfig config) {
    this.config = config;
  }

  @Override
  public Future<Running> start(ServiceNode node) {
    Vertx vertx = node.vertx();
    OpenApiDocument document = OpenApiDocument.ofService(NAME);
    HazelcastInstance hazelcast = node.cluster().hazelcast();
    // Every connection is named after the instance: pg_stat_activity shows which instance holds what.
    PgConnectOptions database = new PgConnectOptions(config.database())
        .addProperty("application_name", node.config().instanceId());
    return Migrations.apply(vertx, database)
        .compose(v -> awaitCacheMap(vertx, hazelcast,
            System.nanoTime() + TimeUnit.SECONDS.toNanos(node.config().cacheWaitSeconds())))
        // Now, not on a request's event loop: the first write of each type waits for every member (CacheProtocol).
        .compose(v -> vertx.executeBlocking(() -> {
          CacheProtocol.replicateSchemas(hazelcast);
          return null;
        }))
        .compose(v -> {
          // A pipelining client: PgBuilder.pool() never pipelines; this sends many statements per connection.
          SqlClient client = PgBuilder.client()
              .with(new PoolOptions().setMaxSize(config.poolSize()).setName("catalog-pipelined"))
              .connectingTo(database)
              .using(vertx)
              .build();
          // Transactions need one connection for their statements: a (non-pipelining) pool, kept small.
          Pool transactions = PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(Math.max(2, config.poolSize() / 2)).setName("catalog-transactions"))
              .connectingTo(database)
              .using(vertx)
              .build();
          ProductCache cache = ProductCache.create(vertx, hazelcast, NAME, config.nearCache(), config.sharedCache(),
              node.metrics(), node.tracing());
          ProductHandlers products = ProductHandlers.create(client, transactions, cache, config.idempotency(),
              Clock.systemUTC(), node.tracing());
          EventStreams events = new EventStreams(vertx, client, config.events(), node.metrics());
          return cache.start() // before any write: a write's invalidation goes through it
              .compose(started -> events.start())
              .compose(started -> vertx.deployVerticle(
                  new OutboxRelay(database, config.events(), node.metrics(), node.tracing(),
                      // Invalidate first: a client told of a change must not then read the old product.
                      batch -> cache.invalidate(batch).onSuccess(done -> events.publish(batch)))))
              .compose(relay -> vertx.deployVerticle(new IdempotencyPurge(client, config.idempotency(),
                      Clock.systemUTC()))
                  .compose(purge -> ImportHandlers.start(node, client, database, config.imports()))
                  .map(imports -> new RunningCatalog(vertx, client, transactions, cache, products, events, relay,
                      imports, document)));
        });
  }

  /** The cache protocol's types travel in Compact form; this member reads them and sends their processors. */
  @Override
  public void configureCluster(Config hazelcast) {
    CacheProtocol.register(hazelcast);
  }

  /**
   * Waits until cache-service has defined the products map. Touching the map before would create it with
   * Hazelcast's defaults (no eviction, no TTL), and a definition added later does not apply to a map that
   * already exists.
   */
  private static Future<Void> awaitCacheMap(Vertx vertx, HazelcastInstance hazelcast, long deadline) {
    return vertx.executeBlocking(() -> hazelcast.getConfig().getMapConfigOrNull(CacheProtocol.PRODUCTS_MAP) != null)
        .compose(defined -> {
          if (defined) {
            return Future.succeededFuture();
          }
          if (System.nanoTime() > deadline) {
            return Future.failedFuture("no cache-service has defined the '" + CacheProtocol.PRODUCTS_MAP
                + "' map in the cluster; start cache-service first");
          }
          log.info("Waiting for cache-service to define the '{}' map", CacheProtocol.PRODUCTS_MAP);
          return vertx.timer(500, TimeUnit.MILLISECONDS).compose(v -> awaitCacheMap(vertx, hazelcast, deadline));
        });
  }
}
