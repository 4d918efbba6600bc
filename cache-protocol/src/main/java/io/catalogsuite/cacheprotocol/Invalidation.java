package io.catalogsuite.cacheprotocol;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Invalidates cached products after changes made elsewhere (an import, another instance, SQL), for many keys in one
 * call ({@code IMap.submitToKeys}): an entry holding a version older than its key's new one becomes a stale marker,
 * or a tombstone when the key was deleted. One call per batch of keys: far cheaper than a call per key.
 *
 * <p>A stale marker for a change to version {@code v} has version {@code v - 1}: a reader that loaded the older
 * version before the change cannot put it back ({@link VersionedPut} refuses what is not newer), while version
 * {@code v} replaces the marker at once. Keys with no entry are left alone: markers for them would fill the cache
 * with entries no one reads (an import touches many products) and evict those that are read. An entry that is not
 * a well-formed {@link CachedProduct} is removed, so that nothing in the map can stop an invalidation.
 */
public final class Invalidation implements EntryProcessor<Long, Object, Invalidation.Outcome> {
  private static final long serialVersionUID = 1L;

  /**
   * What became of one entry that changed; an entry left as it was has no outcome (null), so that an invalidation
   * of many keys, most of them not cached, answers with little.
   */
  public enum Outcome { INVALIDATED, REMOVED_MALFORMED }

  /** The changed products' ids, ascending, each once: a processor is shared by partition threads, so it is read-only. */
  final long[] ids;
  /** Each id's version after its change ({@link CachedProduct#TOMBSTONE_VERSION} for a deletion). */
  final long[] versions;
  final long ttlMillis;

  Invalidation(long[] ids, long[] versions, long ttlMillis) {
    this.ids = ids;
    this.versions = versions;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Invalidates each key of {@code versions} whose entry is older than the key's version there; a version of
   * {@link CachedProduct#TOMBSTONE_VERSION} means deleted. Markers and tombstones live for {@code ttl}.
   */
  public static Invalidation of(Map<Long, Long> versions, long ttl, TimeUnit unit) {
    if (ttl <= 0) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    long[] ids = versions.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
    long[] newVersions = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      newVersions[i] = versions.get(ids[i]);
    }
    return new Invalidation(ids, newVersions, unit.toMillis(ttl));
  }

  /** The keys to submit it to. */
  public Set<Long> keys() {
    return Arrays.stream(ids).boxed().collect(Collectors.toSet());
  }

  @Override
  public Outcome process(Map.Entry<Long, Object> entry) {
    Object value = entry.getValue();
    Long version = versionOf(entry.getKey());
    if (value == null || version == null) {
      return null;
    }
    CachedProduct current = CachedProduct.wellFormedOrNull(value);
    if (current == null) {
      entry.setValue(null); // not an entry of this protocol: gone, and the next reader loads the product afresh
      return Outcome.REMOVED_MALFORMED;
    }
    if (current.version() >= version) {
      return null;
    }
    CachedProduct replacement = version == CachedProduct.TOMBSTONE_VERSION
        ? CachedProduct.tombstone()
        : CachedProduct.stale(version - 1);
    ((ExtendedMapEntry<Long, Object>) entry).setValue(replacement, ttlMillis, TimeUnit.MILLISECONDS);
    return Outcome.INVALIDATED;
  }

  private Long versionOf(Long id) {
    int at = id == null ? -1 : Arrays.binarySearch(ids, id);
    return at < 0 ? null : versions[at];
  }
}
