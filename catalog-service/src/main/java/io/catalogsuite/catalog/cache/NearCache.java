package io.catalogsuite.catalog.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The products this instance serves without leaving the JVM: a Caffeine cache (W-TinyLFU eviction) of
 * {@link ProductDocument}s, bounded by entries and by bytes. Each entry weighs its JSON's size, but at least
 * {@code maxBytes / maxEntries}: so the entries' total weight, at most {@code maxBytes}, bounds both their bytes and
 * their number.
 *
 * <p>It never serves an older version than one a write has already answered with ({@link NearCacheCoherence}
 * decides when it may serve at all), so what goes in is guarded as carefully as what comes out:
 *
 * <ul>
 *   <li>A load registers a {@link Ticket} before it reads anything. An invalidation that arrives while the load is
 *       in flight raises the ticket's floor, and the loaded document goes in only if it is at least that new.
 *       Invalidation and insertion of one id run under the cache's lock of that id, so one of them always sees
 *       the other.
 *   <li>A document goes in only if its load started while the instance held a valid lease, and no
 *       {@link #clear} happened since (the epoch): what was read before the instance was sure to hear of every
 *       change may be old.
 * </ul>
 *
 * <p>Lookups are lock-free (Caffeine's reads); insertions and invalidations lock one id's bin only.
 */
final class NearCache {
  /** What a load of one id remembers from its start until its document is offered. */
  static final class Ticket {
    final long id;
    final long epoch;
    final boolean leaseAtStart;
    private final AtomicLong floor = new AtomicLong(Long.MIN_VALUE);

    private Ticket(long id, long epoch, boolean leaseAtStart) {
      this.id = id;
      this.epoch = epoch;
      this.leaseAtStart = leaseAtStart;
    }

    void raise(long version) {
      floor.accumulateAndGet(version, Math::max);
    }

    long floor() {
      return floor.get();
    }
  }

  private final Cache<Long, ProductDocument> cache;
  /**
   * The loads in flight, by id. Usually one per id, but a lookup that a change made obsolete can still be running
   * when the next one starts: every one of them must hear of later changes.
   */
  private final ConcurrentMap<Long, List<Ticket>> loading = new ConcurrentHashMap<>();
  private final AtomicLong epoch = new AtomicLong();
  private final Counter hits;
  private final Counter misses;

  NearCache(NearCacheConfig config, MeterRegistry metrics) {
    long minWeight = Math.max(1, config.maxBytes() / Math.max(1, config.maxEntries()));
    this.cache = Caffeine.newBuilder()
        .maximumWeight(config.maxBytes())
        .weigher((Long id, ProductDocument document) -> (int) Math.min(Integer.MAX_VALUE,
            Math.max(document.bytes(), minWeight)))
        .expireAfterWrite(Duration.ofSeconds(config.ttlSeconds()))
        // Maintenance (eviction, expiry) runs on the calling thread, a little at a time: no pool, no handoff.
        .executor(Runnable::run)
        .recordStats()
        .build();
    String name = "products-near";
    this.hits = Counter.builder("cache.lookups").tag("cache", name).tag("result", "hit").register(metrics);
    this.misses = Counter.builder("cache.lookups").tag("cache", name).tag("result", "miss").register(metrics);
    Gauge.builder("cache.hit.ratio", () -> {
      double total = hits.count() + misses.count();
      return total == 0 ? 0 : hits.count() / total;
    }).description("Share of this instance's lookups served by its near cache").tag("cache", name)
        .register(metrics);
    Gauge.builder("cache.entries", cache, Cache::estimatedSize).tag("cache", name)
        .description("Products in this instance's near cache").register(metrics);
    Gauge.builder("cache.weight.bytes", cache, c -> c.policy().eviction().map(e -> e.weightedSize().orElse(0))
        .orElse(0L)).tag("cache", name)
        .description("The near cache's weight: its products' bytes, each at least maxBytes / maxEntries")
        .register(metrics);
    FunctionCounter.builder("cache.evictions", cache, c -> c.stats().evictionCount()).tag("cache", name)
        .description("Products evicted from the near cache by its bounds").register(metrics);
  }

  /** Its lookups since the instance started, for {@code /health}. */
  JsonObject lookups() {
    return ProductCache.lookups(hits, misses);
  }

  /** The cached document, or null; {@code servable} is whether the instance may serve near-cache hits now. */
  ProductDocument get(long id, boolean servable) {
    ProductDocument document = servable ? cache.getIfPresent(id) : null;
    (document != null ? hits : misses).increment();
    return document;
  }

  /** Starts the load of {@code id}: invalidations that arrive from now on are remembered for it. */
  Ticket startLoad(long id, boolean leaseValid) {
    Ticket ticket = new Ticket(id, epoch.get(), leaseValid);
    loading.compute(id, (key, tickets) -> {
      List<Ticket> more = tickets == null ? new ArrayList<>(1) : new ArrayList<>(tickets);
      more.add(ticket);
      return List.copyOf(more);
    });
    return ticket;
  }

  /** Ends a load: its document, when there is one, goes in if nothing made it unsafe since it started. */
  void endLoad(Ticket ticket, ProductDocument document) {
    if (document != null && ticket.leaseAtStart) {
      cache.asMap().compute(ticket.id, (id, current) -> {
        boolean safe = ticket.epoch == epoch.get() && document.version() >= ticket.floor();
        return !safe || (current != null && current.version() >= document.version()) ? current : document;
      });
      if (ticket.epoch != epoch.get()) {
        cache.asMap().remove(ticket.id, document); // a clear raced with it: it must not outlive the clear
      }
    }
    loading.computeIfPresent(ticket.id, (key, tickets) -> {
      List<Ticket> rest = new ArrayList<>(tickets);
      rest.remove(ticket);
      return rest.isEmpty() ? null : List.copyOf(rest);
    });
  }

  /**
   * Product {@code id} changed to {@code version} ({@code CachedProduct.TOMBSTONE_VERSION}: deleted): an older
   * document goes, and a load in flight cannot bring one back.
   */
  void invalidate(long id, long version) {
    List<Ticket> tickets = loading.get(id);
    if (tickets != null) {
      tickets.forEach(ticket -> ticket.raise(version));
    }
    cache.asMap().compute(id, (key, current) -> current != null && current.version() < version ? null : current);
  }

  /** Forgets everything, and every load in flight: used when the instance may have missed an invalidation. */
  void clear() {
    epoch.incrementAndGet();
    cache.invalidateAll();
  }

  long size() {
    return cache.estimatedSize();
  }
}
