package io.catalogsuite.catalog.product;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.catalogsuite.common.cache.CacheCounters;
import io.catalogsuite.common.cache.VersionedPut;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache-aside over the shared {@code products} map (defined by cache-service). Values are the product's JSON.
 *
 * <p>Every write goes through {@link VersionedPut}, so the cache only ever moves forward in version: a slow
 * reader cannot put back a product older than the one a writer stored, nor resurrect a deleted one. The cache
 * is an optimisation: when it fails, reads fall back to Postgres and the failure is logged.
 */
final class ProductCache {
  static final String MAP = "products";
  /** How long a deletion is remembered, longer than any read can take. */
  private static final long TOMBSTONE_SECONDS = 60;
  private static final Logger log = LoggerFactory.getLogger(ProductCache.class);

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final CacheCounters lookups;

  ProductCache(Vertx vertx, HazelcastInstance member) {
    this.vertx = vertx;
    this.map = member.getMap(MAP);
    this.lookups = CacheCounters.of(member, MAP);
  }

  /** What the cache knows about one product. */
  record Lookup(String json, boolean deleted) {
    static final Lookup MISS = new Lookup(null, false);

    boolean hit() {
      return json != null;
    }
  }

  Future<Lookup> get(long id) {
    return onContext(map.getAsync(key(id)))
        .map(cached -> {
          lookups.lookup(cached != null);
          return cached;
        })
        .map(cached -> cached == null ? Lookup.MISS
            : VersionedPut.isTombstone(cached) ? new Lookup(null, true) : new Lookup(cached, false))
        .recover(e -> {
          log.warn("Cache read failed, reading from Postgres: {}", e.toString());
          return Future.succeededFuture(Lookup.MISS);
        });
  }

  /** Stores the product unless the cache already holds this or a newer version. */
  Future<Void> offer(JsonObject product) {
    String json = product.encode();
    return update(product.getLong("id"), VersionedPut.of(json, product.getInteger("version")));
  }

  /** Records the deletion, so that no instance serves the product from the cache anymore. */
  Future<Void> deleted(long id) {
    return update(id, VersionedPut.tombstone(TOMBSTONE_SECONDS, TimeUnit.SECONDS));
  }

  private Future<Void> update(long id, VersionedPut put) {
    return onContext(map.submitToKey(key(id), put)).<Void>mapEmpty().recover(e -> {
      log.error("Cache update of product {} failed; it may be served stale until its TTL: {}", id, e.toString());
      return Future.succeededFuture();
    });
  }

  private static String key(long id) {
    return Long.toString(id);
  }

  /** Hazelcast completes on its own threads; continue on the caller's event loop. */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }
}
