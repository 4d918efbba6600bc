package io.catalogsuite.common.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.ExtendedMapEntry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The version rules of the cache's entry processors, on one entry (the logic Hazelcast runs on its owner). */
class VersionedCacheTest {
  private static final long TTL = 60;
  private static final LoadClaim CLAIM = LoadClaim.forAtMost(2, TimeUnit.SECONDS);

  @Test
  void put_older_loses() {
    Entry entry = new Entry("1", product(4));
    assertThat(VersionedPut.of(product(3), 3).process(entry)).isFalse();
    assertThat(entry.getValue()).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofAnOlderEntry_leavesAStaleMarkerThatTheNewVersionReplaces() {
    Entry entry = new Entry("1", product(3));
    assertThat(invalidate("1", 4).process(entry)).isTrue();
    assertThat(VersionedInvalidation.isStale(entry.getValue())).isTrue();
    assertThat(entry.ttlMillis).isEqualTo(TimeUnit.SECONDS.toMillis(TTL));

    // A reader that loaded version 3 before the change cannot bring it back; version 4 goes in.
    assertThat(VersionedPut.of(product(3), 3).process(entry)).isFalse();
    assertThat(VersionedPut.missing(5, TimeUnit.SECONDS).process(entry)).isFalse();
    assertThat(VersionedPut.of(product(4), 4).process(entry)).isTrue();
    assertThat(entry.getValue()).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofACurrentOrNewerEntry_keepsIt() {
    Entry entry = new Entry("1", product(4));
    assertThat(invalidate("1", 4).process(entry)).isFalse();
    assertThat(invalidate("1", 2).process(entry)).isFalse();
    assertThat(entry.getValue()).isEqualTo(product(4));
  }

  @Test
  void invalidation_ofAnAbsentEntry_createsNothing() {
    Entry entry = new Entry("1", null);
    assertThat(invalidate("1", 4).process(entry)).isFalse();
    assertThat(entry.getValue()).isNull();
  }

  @Test
  void invalidation_ofADeletion_leavesATombstone() {
    Entry entry = new Entry("1", product(7));
    assertThat(invalidate("1", VersionedPut.TOMBSTONE_VERSION).process(entry)).isTrue();
    assertThat(VersionedPut.isTombstone(entry.getValue())).isTrue();
    assertThat(VersionedPut.of(product(8), 8).process(entry)).isFalse();
  }

  @Test
  void invalidation_ofAMissingMarker_whenTheProductIsCreated() {
    Entry entry = new Entry("1", null);
    VersionedPut.missing(5, TimeUnit.SECONDS).process(entry);
    assertThat(invalidate("1", 1).process(entry)).isTrue();
    assertThat(VersionedPut.of(product(1), 1).process(entry)).isTrue();
  }

  @Test
  void invalidation_ofAKeyItWasNotGiven_keepsIt() {
    Entry entry = new Entry("2", product(1));
    assertThat(invalidate("1", 9).process(entry)).isFalse();
    assertThat(entry.getValue()).isEqualTo(product(1));
  }

  @Test
  void loadClaim_ofAnEmptyEntry_succeedsOnce_andTheLoadedValueReplacesTheMarker() {
    Entry entry = new Entry("1", null);
    assertThat(CLAIM.process(entry)).isNull();
    assertThat(LoadClaim.isLoading(entry.getValue())).isTrue();
    assertThat(CLAIM.process(entry)).as("a second claim gets the marker").isEqualTo(entry.getValue());
    assertThat(VersionedPut.of(product(1), 1).process(entry)).isTrue();
    assertThat(CLAIM.process(entry)).isEqualTo(product(1));
  }

  @Test
  void loadClaim_ofAnInvalidatedEntry_keepsItsVersionFloor() {
    Entry entry = new Entry("1", product(3));
    invalidate("1", 4).process(entry);
    assertThat(CLAIM.process(entry)).isNull();
    assertThat(VersionedPut.of(product(3), 3).process(entry)).as("the old version, loaded too early").isFalse();
    assertThat(VersionedPut.of(product(4), 4).process(entry)).isTrue();
  }

  @Test
  void loadClaim_aChangeWhileLoading_makesTheLoadedValueLose() {
    Entry entry = new Entry("1", product(3));
    invalidate("1", 4).process(entry);
    CLAIM.process(entry); // loading, floor 3
    assertThat(invalidate("1", 5).process(entry)).isTrue(); // committed meanwhile
    assertThat(VersionedPut.of(product(4), 4).process(entry)).isFalse();
  }

  @Test
  void loadClaim_released_leavesWhatWasThereBefore() {
    Entry empty = new Entry("1", null);
    CLAIM.process(empty);
    assertThat(LoadClaim.release().process(empty)).isTrue();
    assertThat(empty.getValue()).isNull();

    Entry invalidated = new Entry("1", product(3));
    invalidate("1", 4).process(invalidated);
    CLAIM.process(invalidated);
    assertThat(LoadClaim.release().process(invalidated)).isTrue();
    assertThat(VersionedInvalidation.isStale(invalidated.getValue())).isTrue();
    assertThat(VersionedPut.of(product(3), 3).process(invalidated)).isFalse();

    Entry filled = new Entry("1", product(2));
    assertThat(LoadClaim.release().process(filled)).as("only a loading marker is released").isFalse();
    assertThat(filled.getValue()).isEqualTo(product(2));
  }

  @Test
  void loadClaim_ofAMissingMarker_failsWithIt() {
    Entry entry = new Entry("1", null);
    VersionedPut.missing(5, TimeUnit.SECONDS).process(entry);
    assertThat(VersionedPut.isMissing(CLAIM.process(entry))).isTrue();
  }

  private static VersionedInvalidation invalidate(String key, long version) {
    return VersionedInvalidation.of(Map.of(key, version), TTL, TimeUnit.SECONDS);
  }

  private static String product(long version) {
    return "{\"id\":1,\"name\":\"n\",\"version\":" + version + "}";
  }

  /** One map entry, as Hazelcast hands it to an entry processor. */
  private static final class Entry implements ExtendedMapEntry<String, String> {
    private final String key;
    private String value;
    long ttlMillis = -1;

    Entry(String key, String value) {
      this.key = key;
      this.value = value;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public String getValue() {
      return value;
    }

    @Override
    public String setValue(String value) {
      String old = this.value;
      this.value = value;
      return old;
    }

    @Override
    public String setValue(String value, long ttl, TimeUnit unit) {
      ttlMillis = unit.toMillis(ttl);
      return setValue(value);
    }

    @Override
    public String setValueWithoutChangingExpiryTime(String value) {
      return setValue(value);
    }
  }
}
