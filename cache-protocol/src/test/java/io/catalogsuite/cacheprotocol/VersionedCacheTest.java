package io.catalogsuite.cacheprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.ExtendedMapEntry;
import io.catalogsuite.cacheprotocol.CachedProduct.Kind;
import io.catalogsuite.cacheprotocol.Invalidation.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The version rules of the cache's entry processors, on one entry (the logic Hazelcast runs on its owner). */
class VersionedCacheTest {
  private static final long TTL = 60;
  private static final LoadClaim CLAIM = LoadClaim.forAtMost(2, TimeUnit.SECONDS);

  @Test
  void put_older_loses() {
    Entry entry = new Entry(product(4));
    assertThat(put(3).process(entry)).isFalse();
    assertThat(entry.value).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofAnOlderEntry_leavesAStaleMarkerThatTheNewVersionReplaces() {
    Entry entry = new Entry(product(3));
    assertThat(invalidate(4).process(entry)).isEqualTo(Outcome.INVALIDATED);
    assertThat(((CachedProduct) entry.value).kind()).isEqualTo(Kind.STALE);
    assertThat(entry.ttlMillis).isEqualTo(TimeUnit.SECONDS.toMillis(TTL));

    // A reader that loaded version 3 before the change cannot bring it back; version 4 goes in.
    assertThat(put(3).process(entry)).isFalse();
    assertThat(VersionedPut.missing(5, TimeUnit.SECONDS).process(entry)).isFalse();
    assertThat(put(4).process(entry)).isTrue();
    assertThat(entry.value).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofACurrentOrNewerEntry_keepsIt() {
    Entry entry = new Entry(product(4));
    assertThat(invalidate(4).process(entry)).isNull();
    assertThat(invalidate(2).process(entry)).isNull();
    assertThat(entry.value).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofAnAbsentEntry_createsNothing() {
    Entry entry = new Entry(null);
    assertThat(invalidate(4).process(entry)).isNull();
    assertThat(entry.value).isNull();
  }

  @Test
  void invalidation_ofADeletion_leavesATombstone() {
    Entry entry = new Entry(product(7));
    assertThat(invalidate(CachedProduct.TOMBSTONE_VERSION).process(entry)).isEqualTo(Outcome.INVALIDATED);
    assertThat(entry.value).isEqualTo(CachedProduct.tombstone());
    assertThat(put(8).process(entry)).isFalse();
  }

  @Test
  void invalidation_ofAMissingMarker_whenTheProductIsCreated() {
    Entry entry = new Entry(null);
    VersionedPut.missing(5, TimeUnit.SECONDS).process(entry);
    assertThat(invalidate(1).process(entry)).isEqualTo(Outcome.INVALIDATED);
    assertThat(put(1).process(entry)).isTrue();
  }

  @Test
  void invalidation_ofAKeyItWasNotGiven_keepsIt() {
    Entry entry = new Entry(2L, product(1));
    assertThat(invalidate(9).process(entry)).isNull();
    assertThat(entry.value).isEqualTo(product(1));
  }

  @Test
  void invalidation_ofManyKeys_findsEachKeysVersion() {
    Invalidation many = Invalidation.of(Map.of(5L, 2L, 1L, 9L, 3L, 4L), TTL, TimeUnit.SECONDS);
    assertThat(many.keys()).containsExactlyInAnyOrder(1L, 3L, 5L);
    Entry three = new Entry(3L, product(3));
    Entry five = new Entry(5L, product(3));
    assertThat(many.process(three)).isEqualTo(Outcome.INVALIDATED);
    assertThat(many.process(five)).as("5 changed to version 2, older than the cached 3").isNull();
  }

  @Test
  void loadClaim_ofAnEmptyEntry_succeedsOnce_andTheLoadedValueReplacesTheMarker() {
    Entry entry = new Entry(null);
    assertThat(CLAIM.process(entry).outcome()).isEqualTo(Lookup.Outcome.CLAIMED);
    assertThat(((CachedProduct) entry.value).kind()).isEqualTo(Kind.LOADING);
    Lookup second = CLAIM.process(entry);
    assertThat(second.outcome()).as("a second claim finds the first").isEqualTo(Lookup.Outcome.LOADING_ELSEWHERE);
    assertThat(put(1).process(entry)).isTrue();
    Lookup hit = CLAIM.process(entry);
    assertThat(hit.outcome()).isEqualTo(Lookup.Outcome.FOUND);
    assertThat(hit.entry()).isEqualTo(product(1));
  }

  @Test
  void loadClaim_ofAnInvalidatedEntry_keepsItsVersionFloor() {
    Entry entry = new Entry(product(3));
    invalidate(4).process(entry);
    assertThat(CLAIM.process(entry).outcome()).isEqualTo(Lookup.Outcome.CLAIMED);
    assertThat(put(3).process(entry)).as("the old version, loaded too early").isFalse();
    assertThat(put(4).process(entry)).isTrue();
  }

  @Test
  void loadClaim_aChangeWhileLoading_makesTheLoadedValueLose() {
    Entry entry = new Entry(product(3));
    invalidate(4).process(entry);
    CLAIM.process(entry); // loading, floor 3
    assertThat(invalidate(5).process(entry)).isEqualTo(Outcome.INVALIDATED); // committed meanwhile
    assertThat(put(4).process(entry)).isFalse();
  }

  @Test
  void loadClaim_released_leavesWhatWasThereBefore() {
    Entry empty = new Entry(null);
    CLAIM.process(empty);
    assertThat(LoadClaim.release().process(empty)).isTrue();
    assertThat(empty.value).isNull();

    Entry invalidated = new Entry(product(3));
    invalidate(4).process(invalidated);
    CLAIM.process(invalidated);
    assertThat(LoadClaim.release().process(invalidated)).isTrue();
    assertThat(((CachedProduct) invalidated.value).kind()).isEqualTo(Kind.STALE);
    assertThat(put(3).process(invalidated)).isFalse();

    Entry filled = new Entry(product(2));
    assertThat(LoadClaim.release().process(filled)).as("only a loading marker is released").isFalse();
    assertThat(filled.value).isEqualTo(product(2));
  }

  @Test
  void loadClaim_ofAMissingMarker_findsIt() {
    Entry entry = new Entry(null);
    VersionedPut.missing(5, TimeUnit.SECONDS).process(entry);
    Lookup lookup = CLAIM.process(entry);
    assertThat(lookup.outcome()).isEqualTo(Lookup.Outcome.FOUND);
    assertThat(lookup.entry().kind()).isEqualTo(Kind.MISSING);
  }

  /**
   * What the cache API once let a client store under a product's id (issue 8): JSON text of a forged product with
   * the highest version, an object without one, a bare string; and a typed value that breaks the rules. Each is
   * treated as an empty entry: a claim takes its place (and says it found one), a put replaces it, an invalidation
   * removes it.
   */
  @Test
  void malformedValues_areTreatedAsAbsent_andReplaced() {
    Object[] malformed = {
        "{\"id\":1,\"name\":\"FORGED\",\"version\":9223372036854775807}", "{\"x\":1}", "\"x\"",
        new CachedProduct(Kind.PRODUCT, 0, new byte[0]), new CachedProduct(null, 3, null)};
    for (Object value : malformed) {
      Entry claimed = new Entry(value);
      Lookup lookup = CLAIM.process(claimed);
      assertThat(lookup.outcome()).as("claim over %s", value).isEqualTo(Lookup.Outcome.CLAIMED);
      assertThat(lookup.malformed()).isTrue();

      Entry put = new Entry(value);
      assertThat(put(1).process(put)).as("put over %s", value).isTrue();
      assertThat(put.value).isEqualTo(product(1));

      Entry invalidated = new Entry(value);
      assertThat(invalidate(2).process(invalidated)).as("invalidation over %s", value)
          .isEqualTo(Invalidation.Outcome.REMOVED_MALFORMED);
      assertThat(invalidated.value).isNull();

      assertThat(LoadClaim.release().process(new Entry(value))).isFalse();
    }
  }

  @Test
  void wellFormed_rules() {
    assertThat(product(1).wellFormed()).isTrue();
    assertThat(CachedProduct.missing().wellFormed()).isTrue();
    assertThat(CachedProduct.tombstone().wellFormed()).isTrue();
    assertThat(CachedProduct.stale(0).wellFormed()).isTrue();
    assertThat(CachedProduct.loading(-1).wellFormed()).isTrue();
    assertThat(new CachedProduct(Kind.PRODUCT, 1, null).wellFormed()).isFalse();
    assertThat(new CachedProduct(Kind.PRODUCT, CachedProduct.TOMBSTONE_VERSION, new byte[1]).wellFormed()).isFalse();
    assertThat(new CachedProduct(Kind.MISSING, 5, null).wellFormed()).isFalse();
    assertThat(new CachedProduct(Kind.STALE, -1, null).wellFormed()).isFalse();
    assertThat(new CachedProduct(Kind.LOADING, 1, new byte[1]).wellFormed()).isFalse();
  }

  private static VersionedPut put(long version) {
    return VersionedPut.of(product(version));
  }

  private static Invalidation invalidate(long version) {
    return Invalidation.of(Map.of(1L, version), TTL, TimeUnit.SECONDS);
  }

  /** Products of one version are equal here: one instance per version. */
  private static final Map<Long, CachedProduct> PRODUCTS = new java.util.concurrent.ConcurrentHashMap<>();

  private static CachedProduct product(long version) {
    return PRODUCTS.computeIfAbsent(version, v -> CachedProduct.product(v,
        ("{\"id\":1,\"name\":\"n\",\"version\":" + v + "}").getBytes(StandardCharsets.UTF_8)));
  }

  /** One map entry, as Hazelcast hands it to an entry processor. */
  private static final class Entry implements ExtendedMapEntry<Long, Object> {
    private final Long key;
    private Object value;
    long ttlMillis = -1;

    Entry(Object value) {
      this(1L, value);
    }

    Entry(Long key, Object value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public Long getKey() {
      return key;
    }

    @Override
    public Object getValue() {
      return value;
    }

    @Override
    public Object setValue(Object value) {
      Object old = this.value;
      this.value = value;
      return old;
    }

    @Override
    public Object setValue(Object value, long ttl, TimeUnit unit) {
      ttlMillis = unit.toMillis(ttl);
      return setValue(value);
    }

    @Override
    public Object setValueWithoutChangingExpiryTime(Object value) {
      return setValue(value);
    }
  }
}
