package io.catalogsuite.catalog.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cacheprotocol.CachedProduct;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** What may go into a near cache, and what it holds: the rules that keep it from serving an old version. */
class NearCacheTest {
  private static final NearCacheConfig CONFIG = new NearCacheConfig(100, 100 * 1000, 60, 1000);

  private static NearCache cache() {
    return new NearCache(CONFIG, new SimpleMeterRegistry());
  }

  private static ProductDocument product(long id, long version, int bytes) {
    return new ProductDocument(id, version, ProductDocument.etagOf(version), Buffer.buffer(new byte[bytes]));
  }

  private static void load(NearCache near, ProductDocument document) {
    near.endLoad(near.startLoad(document.id(), true), document);
  }

  @Test
  void aLoadedProduct_isServed_onlyWhileServable() {
    NearCache near = cache();
    load(near, product(1, 1, 10));
    assertThat(near.get(1, true)).isNotNull();
    assertThat(near.get(1, false)).as("no lease: no hit").isNull();
  }

  @Test
  void aLoadStartedWithoutALease_isNotKept() {
    NearCache near = cache();
    near.endLoad(near.startLoad(1, false), product(1, 1, 10));
    assertThat(near.get(1, true)).isNull();
  }

  @Test
  void anInvalidationDuringALoad_keepsTheOlderVersionOut() {
    NearCache near = cache();
    NearCache.Ticket loading = near.startLoad(1, true);
    near.invalidate(1, 2); // committed while version 1 was being read
    near.endLoad(loading, product(1, 1, 10));
    assertThat(near.get(1, true)).isNull();

    NearCache.Ticket again = near.startLoad(1, true);
    near.invalidate(1, 2);
    near.endLoad(again, product(1, 2, 10));
    assertThat(near.get(1, true).version()).as("the new version itself goes in").isEqualTo(2);
  }

  /**
   * Found by the consistency test: a lookup a change made obsolete still runs while the next one starts; a later
   * change must keep the first one's document out as well.
   */
  @Test
  void everyLoadInFlight_hearsOfLaterChanges() {
    NearCache near = cache();
    NearCache.Ticket first = near.startLoad(1, true);
    near.invalidate(1, 238);
    NearCache.Ticket second = near.startLoad(1, true);
    near.invalidate(1, 240);
    near.endLoad(first, product(1, 238, 10)); // read between the two changes
    assertThat(near.get(1, true)).isNull();
    near.endLoad(second, product(1, 240, 10));
    assertThat(near.get(1, true).version()).isEqualTo(240);
  }

  @Test
  void anInvalidation_removesOlderVersions_only() {
    NearCache near = cache();
    load(near, product(1, 3, 10));
    near.invalidate(1, 3);
    assertThat(near.get(1, true)).isNotNull();
    near.invalidate(1, 4);
    assertThat(near.get(1, true)).isNull();
    load(near, product(2, 7, 10));
    near.invalidate(2, CachedProduct.TOMBSTONE_VERSION);
    assertThat(near.get(2, true)).as("deleted").isNull();
  }

  @Test
  void aClear_dropsEverything_andEveryLoadInFlight() {
    NearCache near = cache();
    load(near, product(1, 1, 10));
    NearCache.Ticket inFlight = near.startLoad(2, true);
    near.clear();
    near.endLoad(inFlight, product(2, 1, 10));
    assertThat(near.get(1, true)).isNull();
    assertThat(near.get(2, true)).isNull();
  }

  @Test
  void aNewerVersion_isNeverReplacedByAnOlderOne() {
    NearCache near = cache();
    load(near, product(1, 5, 10));
    load(near, product(1, 4, 10));
    assertThat(near.get(1, true).version()).isEqualTo(5);
  }

  /** Bounded by entries (small products weigh maxBytes / maxEntries each) and by bytes (large ones their size). */
  @Test
  void bounded_byEntries_andByBytes() {
    NearCache byEntries = cache();
    for (long id = 1; id <= 1_000; id++) {
      load(byEntries, product(id, 1, 10));
    }
    assertThat(byEntries.size()).isLessThanOrEqualTo(100);

    NearCache byBytes = cache();
    for (long id = 1; id <= 100; id++) {
      load(byBytes, product(id, 1, 10_000)); // 100 entries would be 1,000,000 bytes, the bound is 100,000
    }
    assertThat(byBytes.size()).isLessThanOrEqualTo(10);
  }
}
