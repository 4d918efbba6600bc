package io.catalogsuite.catalog.product;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.catalogsuite.catalog.events.ProductEvent;
import io.catalogsuite.common.cache.CacheCounters;
import io.catalogsuite.common.cache.LoadClaim;
import io.catalogsuite.common.cache.VersionedInvalidation;
import io.catalogsuite.common.cache.VersionedPut;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache-aside over the shared {@code products} map (defined by cache-service). Values are the product's JSON.
 *
 * <ul>
 *   <li>Never stale: every write goes through {@link VersionedPut}, so the cache only moves forward in version;
 *       a slow reader cannot put back an older product, nor resurrect a deleted one (tombstone). The API's own
 *       writes update the cache before they answer (a client reads its write back at once, on any instance);
 *       every committed change, whatever wrote it (an import too), also reaches {@link #invalidate} through the
 *       outbox's events.
 *   <li>Never stampedes: concurrent misses of one product share one database load (single-flight), on this
 *       instance through a shared future, across instances through a load claim in the cache; the others wait
 *       for it.
 *   <li>Negative caching: an unknown id is remembered as missing for a short time, so repeated lookups of it do
 *       not reach the database; a product created meanwhile replaces the marker at once (version 1 beats 0).
 * </ul>
 *
 * <p>The cache is an optimisation: when it fails, reads go to Postgres and the failure is logged. Lookups,
 * hit ratio and load times are on {@code /metrics} ({@code cache_*{cache="products"}}).
 */
public final class ProductCache {
  static final String MAP = "products";
  /** How long a deletion or invalidation is remembered, longer than any read can take. */
  private static final long TOMBSTONE_SECONDS = 60;
  /**
   * When an event's invalidation is repeated. The first one leaves entries it does not find alone; a reader
   * that loaded the old version before the change and stores it after that first pass is caught by the second.
   */
  private static final long SECOND_PASS_MS = 2000;
  /** A load claim lasts this long at most: far longer than a load, and what waiters wait if its holder dies. */
  private static final LoadClaim CLAIM = LoadClaim.forAtMost(2, TimeUnit.SECONDS);
  /** Pauses of 5, 10, 20 ... 100 ms: together beyond the claim's time to live. */
  private static final int MAX_CLAIM_WAITS = 30;
  private static final Logger log = LoggerFactory.getLogger(ProductCache.class);

  private final Vertx vertx;
  private final IMap<String, String> map;
  private final CacheCounters lookups;
  private final long missingTtlSeconds;
  private final ConcurrentMap<Long, Future<String>> loading = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;
  private final Timer loads;

  /** The cache of products in {@code member}'s cluster; unknown ids are remembered for {@code missingTtlSeconds}. */
  public ProductCache(Vertx vertx, HazelcastInstance member, MeterRegistry metrics, long missingTtlSeconds) {
    this.vertx = vertx;
    this.map = member.getMap(MAP);
    this.lookups = CacheCounters.of(member, MAP);
    this.missingTtlSeconds = missingTtlSeconds;
    this.hits = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "hit").register(metrics);
    this.misses = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "miss").register(metrics);
    Gauge.builder("cache.hit.ratio", () -> {
      double total = hits.count() + misses.count();
      return total == 0 ? 0 : hits.count() / total;
    }).description("Share of this instance's lookups served by the cache").tag("cache", MAP).register(metrics);
    this.loads = Timer.builder("cache.loads").description("Loads from the database after a miss")
        .tag("cache", MAP).publishPercentileHistogram().register(metrics);
  }

  /**
   * The product's JSON, from the cache or else loaded once by {@code loader} (null when there is none);
   * completes with null for an unknown, deleted or recently-missing product.
   */
  Future<String> read(long id, Supplier<Future<JsonObject>> loader) {
    return get(id).compose(cached -> {
      boolean hit = answers(cached);
      lookups.lookup(hit);
      (hit ? hits : misses).increment();
      return hit ? Future.succeededFuture(visible(cached)) : loadOnce(id, loader);
    });
  }

  /**
   * One database load per product at a time on this instance; concurrent callers share its result.
   *
   * <p>Order matters. A load leaves {@code loading} only after the cache holds its result. A caller that
   * missed the cache registers its own load only when none is in flight, so after any previous load left,
   * so after that load's result reached the cache; its claim then looks at the cache once more before going
   * to the database. A miss that raced with a fill therefore finds the fill instead of loading a second time.
   */
  private Future<String> loadOnce(long id, Supplier<Future<JsonObject>> loader) {
    Promise<String> mine = Promise.promise();
    Future<String> shared = loading.putIfAbsent(id, mine.future());
    if (shared != null) {
      return onContext(shared.toCompletionStage()); // complete on this request's own event loop
    }
    claimAndLoad(id, loader, 0).onComplete(result -> {
      loading.remove(id);
      mine.handle(result);
    });
    return mine.future();
  }

  /**
   * One database load per product at a time in the cluster: claims the load ({@link LoadClaim}) and loads, or,
   * while another instance holds the claim, waits for its result, looking again after a growing pause (the
   * claim expires if its holder dies). What the claim finds already cached (a product, or a deleted or missing
   * marker) is the answer.
   */
  private Future<String> claimAndLoad(long id, Supplier<Future<JsonObject>> loader, int waits) {
    return claim(id).compose(current -> {
      if (current == null) {
        return load(id, loader);
      }
      if (answers(current)) {
        return Future.succeededFuture(visible(current));
      }
      if (waits == MAX_CLAIM_WAITS) {
        return load(id, loader); // a claim outliving its time to live: load anyway (the put is versioned)
      }
      return vertx.timer(Math.min(5L << waits, 100)).compose(v -> claimAndLoad(id, loader, waits + 1));
    });
  }

  /** Loads from the database and fills the cache (with the product, or a "missing" marker). */
  private Future<String> load(long id, Supplier<Future<JsonObject>> loader) {
    long start = System.nanoTime();
    return loader.get()
        .compose(product -> product == null
            ? markMissing(id).compose(v -> release(id)).map((String) null)
            : offer(product).map(v -> product.encode()))
        .onFailure(e -> release(id))
        .onComplete(result -> loads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  /** Null when this caller now holds the load of the product; else what the entry holds. */
  private Future<String> claim(long id) {
    return onContext(map.submitToKey(key(id), CLAIM)).recover(e -> {
      log.warn("Cache claim failed, reading from Postgres: {}", e.toString());
      return Future.succeededFuture(null);
    });
  }

  /** Gives up a claim that brought no product into the cache, so that waiters need not wait for it to expire. */
  private Future<Void> release(long id) {
    return onContext(map.submitToKey(key(id), LoadClaim.release())).<Void>mapEmpty().recover(e -> {
      log.warn("Cache claim release failed; waiters load after its time to live: {}", e.toString());
      return Future.succeededFuture();
    });
  }

  /** The cached value, or null on a miss (or when the cache cannot be read: then Postgres serves). */
  private Future<String> get(long id) {
    return onContext(map.getAsync(key(id))).recover(e -> {
      log.warn("Cache read failed, reading from Postgres: {}", e.toString());
      return Future.succeededFuture(null);
    });
  }

  /**
   * Whether a cached value answers a lookup: a product, or the marker of a deleted or missing one. Nothing, the
   * marker of an invalidated product, or one being loaded, is a miss.
   */
  private static boolean answers(String cached) {
    return cached != null && !VersionedInvalidation.isStale(cached) && !LoadClaim.isLoading(cached);
  }

  /** What a cached value that answers a lookup says: the product's JSON, or null for a deleted or missing one. */
  private static String visible(String cached) {
    return VersionedPut.isTombstone(cached) || VersionedPut.isMissing(cached) ? null : cached;
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

  /**
   * Invalidates what the events changed, cluster-wide, in one call: an entry older than its event's version
   * becomes a miss, a deleted product a tombstone. Fails when the cache cannot be reached (the relay delivers
   * the events again). The same is done once more {@link #SECOND_PASS_MS} later.
   */
  public Future<Void> invalidate(List<ProductEvent> events) {
    Map<String, Long> versions = new HashMap<>();
    for (ProductEvent event : events) {
      long version = event.deleted() ? VersionedPut.TOMBSTONE_VERSION : event.version();
      versions.merge(key(event.productId()), version, Math::max);
    }
    VersionedInvalidation invalidation = VersionedInvalidation.of(versions, TOMBSTONE_SECONDS, TimeUnit.SECONDS);
    return onContext(map.submitToKeys(versions.keySet(), invalidation)).<Void>mapEmpty()
        .onSuccess(v -> vertx.setTimer(SECOND_PASS_MS, id -> onContext(map.submitToKeys(versions.keySet(), invalidation))
            .onFailure(e -> log.warn("Second invalidation pass failed: {}", e.toString()))));
  }

  private Future<Void> markMissing(long id) {
    return missingTtlSeconds == 0 ? Future.succeededFuture()
        : update(id, VersionedPut.missing(missingTtlSeconds, TimeUnit.SECONDS));
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

  /** Hazelcast (and a shared load) complete on other threads; continue on the caller's event loop. */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return HazelcastFutures.on(vertx.getOrCreateContext(), stage);
  }
}
