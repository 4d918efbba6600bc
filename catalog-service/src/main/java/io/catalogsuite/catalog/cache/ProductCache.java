package io.catalogsuite.catalog.cache;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.catalogsuite.cacheprotocol.CacheCounters;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.cacheprotocol.CachedProduct;
import io.catalogsuite.cacheprotocol.Invalidation;
import io.catalogsuite.cacheprotocol.LoadClaim;
import io.catalogsuite.cacheprotocol.Lookup;
import io.catalogsuite.cacheprotocol.VersionedPut;
import io.catalogsuite.catalog.events.ProductEvent;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.catalogsuite.common.tracing.Tracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
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
 * The products' read path: this instance's {@link NearCache} first, then the shared {@code products} map (defined
 * by cache-service), whose entries are {@link CachedProduct}s (the product's JSON with its version, or a marker),
 * then Postgres.
 *
 * <ul>
 *   <li>Memory speed: a near-cache hit never leaves the JVM and parses nothing. It is served only while
 *       {@link NearCacheCoherence} says this instance has heard of every change: after a write's response, no
 *       instance serves an older version. Writes invalidate the near caches of every instance before they answer,
 *       the outbox relay does it for every other change.
 *   <li>Never stale: every write goes through a versioned entry processor, so the cache only moves forward in
 *       version; a slow reader cannot put back an older product, nor resurrect a deleted one (tombstone). The
 *       API's own writes update the cache before they answer (a client reads its write back at once, on any
 *       instance); every committed change, whatever wrote it (an import too), also reaches {@link #invalidate}
 *       through the outbox's events.
 *   <li>Never stampedes: the concurrent lookups of one product on this instance share one. A lookup in the shared
 *       map is one call that, on a miss, also claims the load ({@link LoadClaim}), and the other instances wait
 *       for the claim's holder.
 *   <li>Admission: the shared map is only asked for an id that missed here shortly before. A first miss reads
 *       Postgres directly: when reads spread over more products than the caches hold, most are read once, and
 *       asking the shared map and filling it (two calls to another member) would cost more than the read itself.
 *       So the first lookup of a product on an instance costs one database load on that instance; the next ones
 *       are single-flight across the cluster.
 *   <li>Negative caching: an unknown id is remembered as missing for a short time, so repeated lookups of it do
 *       not reach the database; a product created meanwhile replaces the marker at once (version 1 beats 0).
 *   <li>Never poisoned: an entry that is not a well-formed {@link CachedProduct} is counted
 *       ({@code cache_malformed_entries_total}), replaced, and read as a miss.
 * </ul>
 *
 * <p>The cache is an optimisation: without a cache-service member ({@link CacheAvailability}), or when a cache
 * call fails or takes longer than {@value #CALL_TIMEOUT_MS} ms, reads go to Postgres. Lookups, hit ratio and load
 * times are on {@code /metrics} ({@code cache_*{cache="products"}}). With tracing, every call to the shared map
 * is a span of the request's trace ({@code claim products}, {@code put products}, ...).
 */
public final class ProductCache {
  private static final String MAP = CacheProtocol.PRODUCTS_MAP;
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
  /** Room for this many recent misses (2 MiB). */
  private static final int ADMISSION_MAX_IDS = 131_072;
  /** A cache call slower than this is given up, and Postgres answers. */
  static final long CALL_TIMEOUT_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(ProductCache.class);

  private final Vertx vertx;
  private final Tracing tracing;
  private final NearCache near;
  private final NearCacheCoherence coherence;
  private final boolean nearEnabled;
  private final IMap<Long, Object> map;
  private final CacheAvailability availability;
  private final CacheCounters lookups;
  private final long missingTtlSeconds;
  /**
   * The lookup of each product in flight on this instance; concurrent readers of a product share it, until the
   * product changes: a reader that comes after a change starts a lookup of its own.
   */
  private final ConcurrentMap<Long, Future<ProductDocument>> inFlight = new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;
  private final Counter bypassed;
  private final Counter skipped;
  /**
   * The ids that missed here within the admission window ({@link SharedCacheConfig#admissionWindowMs()}): both
   * caches' admission. Only an id that misses again within it is looked up in, and put into, the shared map, and
   * then into the near cache.
   * A product read often misses again soon (after its near-cache entry was invalidated or evicted); reads spread
   * at random over many products seldom do.
   */
  private final RecentMisses recentMisses;
  private final Counter malformed;
  private final Timer loads;

  /**
   * The cache of products in {@code member}'s cluster, with this instance's near cache (when
   * {@code nearCache.enabled()}), using the shared map as {@code shared} says. {@code service} is the
   * name the other instances of this one's service have in the cluster. {@link #start} it before any write.
   */
  public static ProductCache create(Vertx vertx, HazelcastInstance member, String service, NearCacheConfig nearCache,
      SharedCacheConfig shared, MeterRegistry metrics, Tracing tracing) {
    return new ProductCache(vertx, new NearCache(nearCache, metrics), nearCache, member, service,
        new CacheAvailability(member), metrics, shared, tracing);
  }

  private ProductCache(Vertx vertx, NearCache near, NearCacheConfig nearCache, HazelcastInstance member,
      String service, CacheAvailability availability, MeterRegistry metrics, SharedCacheConfig shared,
      Tracing tracing) {
    this.vertx = vertx;
    this.tracing = tracing;
    this.near = near;
    this.coherence = new NearCacheCoherence(new Local(), nearCache, member, service, metrics);
    this.nearEnabled = nearCache.enabled();
    this.map = member.getMap(MAP);
    this.availability = availability;
    this.lookups = CacheCounters.of(member, MAP);
    this.missingTtlSeconds = shared.missingTtlSeconds();
    this.hits = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "hit").register(metrics);
    this.misses = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "miss").register(metrics);
    this.recentMisses = new RecentMisses(ADMISSION_MAX_IDS, shared.admissionWindowMs());
    this.skipped = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "skipped")
        .description("First misses of an id, read from Postgres without asking or filling a cache").register(metrics);
    this.bypassed = Counter.builder("cache.lookups").tag("cache", MAP).tag("result", "bypassed")
        .description("Lookups that went to Postgres because the shared cache could not be used").register(metrics);
    this.malformed = Counter.builder("cache.malformed.entries").tag("cache", MAP)
        .description("Entries of the shared map that were not well-formed: replaced and read as misses")
        .register(metrics);
    Gauge.builder("cache.hit.ratio", () -> {
      double total = hits.count() + misses.count();
      return total == 0 ? 0 : hits.count() / total;
    }).description("Share of this instance's lookups served by the shared cache").tag("cache", MAP)
        .register(metrics);
    Gauge.builder("cache.available", () -> availability.available() ? 1 : 0).tag("cache", MAP)
        .description("1 while a cache-service member is in the cluster; 0: reads go to Postgres").register(metrics);
    this.loads = Timer.builder("cache.loads").description("Loads from the database after a miss")
        .tag("cache", MAP).publishPercentileHistogram().register(metrics);
  }

  /** This instance's part of every invalidation: its near cache, and its lookups in flight. */
  private final class Local implements LocalCaches {
    @Override
    public void invalidate(long id, long version) {
      near.invalidate(id, version);
      // After the near cache: a lookup started from now on finds the change, and joins no older one.
      inFlight.remove(id);
    }

    @Override
    public void clear() {
      near.clear();
      inFlight.clear();
    }
  }

  /** Joins the other instances' invalidations and leases: before this, no write may be served. */
  public Future<Void> start() {
    return vertx.deployVerticle(coherence).mapEmpty();
  }

  /**
   * This instance's lookups since it started, by cache, for {@code /health} (the gateway's dashboard shows their
   * hit ratios): {@code {"near":{"hits":…,"misses":…},"shared":{…}}}, without {@code near} when it is off.
   */
  public JsonObject lookups() {
    JsonObject caches = new JsonObject();
    if (nearEnabled) {
      caches.put("near", near.lookups());
    }
    return caches.put("shared", lookups(hits, misses));
  }

  static JsonObject lookups(Counter hits, Counter misses) {
    return new JsonObject().put("hits", (long) hits.count()).put("misses", (long) misses.count());
  }

  /** Whether the shared cache can be used: a cache-service member is in the cluster. */
  public boolean sharedAvailable() {
    return availability.available();
  }

  /**
   * The product, from the cache or else loaded once by {@code loader} (null when there is none); completes with
   * null for an unknown, deleted or recently-missing product.
   */
  public Future<ProductDocument> read(long id, Supplier<Future<JsonObject>> loader) {
    boolean servable = nearEnabled && coherence.servable();
    if (nearEnabled) {
      ProductDocument hit = near.get(id, servable);
      if (hit != null) {
        return Future.succeededFuture(hit);
      }
    }
    if (!availability.available()) {
      bypassed.increment();
      return loader.get().map(product -> product == null ? null : ProductDocument.of(product));
    }
    // Joining a lookup already in flight is safe only while this instance holds its lease: then every change sent
    // to it before has been applied, and a lookup started before such a change is gone from inFlight. (Resumed
    // after a pause, it could otherwise hand a new reader the answer of a lookup older than a completed write.)
    boolean mayJoin = coherence.servable();
    Future<ProductDocument> shared = mayJoin ? inFlight.get(id) : null;
    if (shared != null) {
      return onThisContext(shared);
    }
    Promise<ProductDocument> mine = Promise.promise();
    shared = inFlight.putIfAbsent(id, mine.future());
    if (shared != null && mayJoin) {
      return onThisContext(shared);
    }
    boolean registered = shared == null;
    // Its first miss here of late: Postgres answers, and neither cache is asked or filled. A product read once
    // and not again (reads spread over more products than the caches hold) costs no cache call and evicts
    // nothing; one that misses again goes through the shared map into the near cache, and so does every read of
    // it on other instances that missed it before.
    boolean firstMiss = recentMisses.firstMiss(id, System.nanoTime());
    if (nearEnabled && servable && registered && !firstMiss) {
      // Registered before the shared map is read: a change that arrives meanwhile keeps an older product out.
      NearCache.Ticket ticket = near.startLoad(id, true);
      mine.future().onComplete(read -> near.endLoad(ticket, read.succeeded() ? read.result() : null));
    }
    // The lookup leaves inFlight only once the shared map holds its result (see load), so a reader that comes
    // later either shares it or finds the result in the map; it never claims the same load a second time.
    Future<Void> lookup;
    if (firstMiss) {
      skipped.increment();
      lookup = timedLoad(loader).map(product -> product == null ? null : ProductDocument.of(product))
          .onComplete(mine).mapEmpty();
    } else {
      lookup = lookUp(id, loader, mine, 0);
    }
    lookup.onComplete(done -> {
      if (registered) {
        inFlight.remove(id, mine.future());
      }
    });
    return mine.future();
  }

  /**
   * One lookup in the cluster: the entry's answer, or the claim of its load, or a wait for the instance that holds
   * the claim (looking again after a growing pause; a claim expires if its holder dies). Completes {@code answer}
   * as soon as there is one; the returned future completes once the shared map holds what was loaded.
   */
  private Future<Void> lookUp(long id, Supplier<Future<JsonObject>> loader, Promise<ProductDocument> answer,
      int waits) {
    return claim(id).compose(lookup -> {
      if (lookup == null) { // the cache failed: Postgres answers, and nothing is stored
        bypassed.increment();
        return fromDatabase(loader, answer);
      }
      if (lookup.malformed()) {
        malformed.increment();
        log.warn("Product {}'s entry in the shared cache was not well-formed; replaced, and loaded afresh", id);
      }
      switch (lookup.outcome()) {
        case FOUND -> {
          count(true);
          CachedProduct entry = lookup.entry();
          answer.complete(entry.kind() == CachedProduct.Kind.PRODUCT ? ProductDocument.of(id, entry) : null);
          return Future.succeededFuture();
        }
        case CLAIMED -> {
          count(false);
          return load(id, loader, answer);
        }
        default -> { // another instance is loading it
          if (waits == MAX_CLAIM_WAITS) { // a claim outliving its time to live: load anyway (the put is versioned)
            count(false);
            return load(id, loader, answer);
          }
          return vertx.timer(Math.min(5L << waits, 100)).compose(v -> lookUp(id, loader, answer, waits + 1));
        }
      }
    });
  }

  private void count(boolean hit) {
    lookups.lookup(hit);
    (hit ? hits : misses).increment();
  }

  /**
   * Loads from the database under this instance's claim, answers, and then fills the cache: with the product, or
   * a "missing" marker.
   */
  private Future<Void> load(long id, Supplier<Future<JsonObject>> loader, Promise<ProductDocument> answer) {
    return timedLoad(loader)
        .compose(product -> {
          if (product == null) {
            answer.complete(null);
            return markMissing(id).compose(v -> release(id));
          }
          ProductDocument document = ProductDocument.of(product);
          answer.complete(document);
          return update(id, VersionedPut.of(document.toEntry()));
        }, failure -> {
          answer.fail(failure);
          return release(id);
        });
  }

  /** A database load after a miss, timed ({@code cache_loads_seconds}). */
  private Future<JsonObject> timedLoad(Supplier<Future<JsonObject>> loader) {
    long start = System.nanoTime();
    return loader.get().onComplete(result -> loads.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
  }

  private static Future<Void> fromDatabase(Supplier<Future<JsonObject>> loader, Promise<ProductDocument> answer) {
    return loader.get().map(product -> product == null ? null : ProductDocument.of(product))
        .onComplete(answer).mapEmpty();
  }

  /** What the entry answers, or this caller's claim of the load; null when the cache cannot be used. */
  private Future<Lookup> claim(long id) {
    return call(tracing.startHazelcastCall("claim", MAP), map.submitToKey(id, CLAIM)).recover(e -> {
      log.warn("Cache lookup failed, reading from Postgres: {}", e.toString());
      return Future.succeededFuture(null);
    });
  }

  /** Gives up a claim that brought no product into the cache, so that waiters need not wait for it to expire. */
  private Future<Void> release(long id) {
    return call(tracing.startHazelcastCall("release", MAP), map.submitToKey(id, LoadClaim.release()))
        .<Void>mapEmpty().recover(e -> {
          log.warn("Cache claim release failed; waiters load after its time to live: {}", e.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * Stores a created product (it also replaces a "missing" marker a reader may have left for its id). No near
   * cache can hold an older version of a product that did not exist, so no instance is asked.
   */
  public Future<Void> created(ProductDocument product) {
    return update(product.id(), VersionedPut.of(product.toEntry()));
  }

  /**
   * Stores a changed product unless the shared map already holds this or a newer version, then makes every
   * instance's near cache forget its older versions: the future completes when no instance can serve one.
   */
  public Future<Void> written(ProductDocument product) {
    return update(product.id(), VersionedPut.of(product.toEntry()))
        .compose(v -> coherence.invalidate(Map.of(product.id(), product.version())));
  }

  /** Records the deletion, so that no instance serves the product from any cache anymore. */
  public Future<Void> deleted(long id) {
    return update(id, VersionedPut.tombstone(TOMBSTONE_SECONDS, TimeUnit.SECONDS))
        .compose(v -> coherence.invalidate(Map.of(id, CachedProduct.TOMBSTONE_VERSION)));
  }

  /**
   * Invalidates what the events changed, in every cache: first the shared map, in one call (an entry older than
   * its event's version becomes a miss, a deleted product a tombstone; the same is done once more
   * {@link #SECOND_PASS_MS} later), then every instance's near cache. The future completes when no instance can
   * serve an older version; it fails when the shared map cannot be reached (the relay delivers the events again).
   */
  public Future<Void> invalidate(List<ProductEvent> events) {
    Map<Long, Long> versions = new HashMap<>();
    for (ProductEvent event : events) {
      long version = event.deleted() ? CachedProduct.TOMBSTONE_VERSION : event.version();
      versions.merge(event.productId(), version, Math::max);
    }
    Future<Void> shared = !availability.available()
        ? Future.succeededFuture() // no shared map anywhere: nothing to invalidate there
        : invalidateShared(versions)
            .onSuccess(v -> vertx.setTimer(SECOND_PASS_MS, timer -> invalidateShared(versions)
                .onFailure(e -> log.warn("Second invalidation pass failed: {}", e.toString()))));
    // The near caches after the shared map: a near miss meanwhile must not find the old version there.
    return shared.compose(v -> coherence.invalidate(versions));
  }

  /**
   * Invalidates the shared map's entries of {@code versions}' products, in two calls: which of them are cached at
   * all (a batch read: most products an import changes are not), then one invalidation of those. (An entry
   * processor costs far more per key than a read: it is copied for every partition, with every key's version. One
   * invalidation call for 5,000 keys took 250 to 600 ms here, the read of 5,000 keys 30 ms.) An entry that appears
   * between the two is a load that started after the read, and loads the new version. Entries it found not
   * well-formed were removed, and are counted.
   */
  private Future<Void> invalidateShared(Map<Long, Long> versions) {
    Span span = tracing.startHazelcastCall("getAll", MAP);
    // IMap has no async getAll.
    return Tracing.endWhenDone(span, vertx.executeBlocking(() -> map.getAll(versions.keySet()).keySet(), false)
            .timeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        .compose(cached -> {
          if (cached.isEmpty()) {
            return Future.succeededFuture();
          }
          Map<Long, Long> present = new HashMap<>();
          cached.forEach(id -> present.put(id, versions.get(id)));
          return invalidatePresent(Invalidation.of(present, TOMBSTONE_SECONDS, TimeUnit.SECONDS));
        });
  }

  private Future<Void> invalidatePresent(Invalidation invalidation) {
    return call(tracing.startHazelcastCall("invalidate", MAP), map.submitToKeys(invalidation.keys(), invalidation))
        .map(outcomes -> {
          outcomes.forEach((id, outcome) -> {
            if (outcome == Invalidation.Outcome.REMOVED_MALFORMED) {
              malformed.increment();
              log.warn("Product {}'s entry in the shared cache was not well-formed; removed", id);
            }
          });
          return null;
        });
  }

  private Future<Void> markMissing(long id) {
    return missingTtlSeconds == 0 ? Future.succeededFuture()
        : update(id, VersionedPut.missing(missingTtlSeconds, TimeUnit.SECONDS));
  }

  private Future<Void> update(long id, VersionedPut put) {
    if (!availability.available()) {
      return Future.succeededFuture(); // nothing is cached anywhere: there is nothing to update
    }
    return call(tracing.startHazelcastCall("put", MAP), map.submitToKey(id, put)).<Void>mapEmpty().recover(e -> {
      log.error("Cache update of product {} failed; the events' invalidation corrects it: {}", id, e.toString());
      return Future.succeededFuture();
    });
  }

  /** A lookup shared with a reader on another event loop, completed on this one's (a request's handlers stay on it). */
  private static <T> Future<T> onThisContext(Future<T> shared) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return shared;
    }
    Promise<T> here = Promise.promise();
    shared.onComplete(result -> context.runOnContext(v -> here.handle(result)));
    return here.future();
  }

  /**
   * A cache call, completed on the caller's event loop, failed if it takes longer than {@link #CALL_TIMEOUT_MS};
   * {@code span} (null without a trace) ends with it. Java evaluates the arguments in order: the span starts
   * before the call is made.
   */
  private <T> Future<T> call(Span span, CompletionStage<T> stage) {
    return Tracing.endWhenDone(span, HazelcastFutures.on(vertx.getOrCreateContext(), stage)
        .timeout(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS));
  }
}
