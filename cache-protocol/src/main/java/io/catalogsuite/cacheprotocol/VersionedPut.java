package io.catalogsuite.cacheprotocol;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Writes an entry only if it is newer than what the entry holds, atomically on the entry's owner.
 *
 * <p>This is what keeps cache-aside from going stale. A reader that loaded version 3 from the database can reach
 * the cache after a writer stored version 4; an unconditional put would then bring version 3 back. With this
 * processor the older version loses, whatever the order of arrival. A deletion is recorded as a tombstone with the
 * highest version, so a late reader cannot resurrect a deleted product either; the tombstone expires after its
 * own time to live. An entry that is not well-formed is overwritten.
 */
public final class VersionedPut implements EntryProcessor<Long, Object, Boolean> {
  private static final long serialVersionUID = 1L;

  final CachedProduct value;
  /** The entry's time to live; 0 or less: the map's own. */
  final long ttlMillis;

  VersionedPut(CachedProduct value, long ttlMillis) {
    this.value = value;
    this.ttlMillis = ttlMillis;
  }

  /** Stores {@code product} unless the entry holds this or a newer version; the map's time to live applies. */
  public static VersionedPut of(CachedProduct product) {
    return new VersionedPut(Objects.requireNonNull(product, "product"), 0);
  }

  /** Marks the key deleted for {@code ttl}; no version can replace it meanwhile. */
  public static VersionedPut tombstone(long ttl, TimeUnit unit) {
    return new VersionedPut(CachedProduct.tombstone(), unit.toMillis(ttl));
  }

  /**
   * Remembers for {@code ttl} that the key has no product (negative caching). Version 0: the first real version
   * (1, when the product is created) replaces it at once, so a new product is never hidden.
   */
  public static VersionedPut missing(long ttl, TimeUnit unit) {
    return new VersionedPut(CachedProduct.missing(), unit.toMillis(ttl));
  }

  @Override
  public Boolean process(Map.Entry<Long, Object> entry) {
    CachedProduct current = CachedProduct.wellFormedOrNull(entry.getValue());
    if (current != null && !current.replaceableBy(value.version())) {
      return false;
    }
    if (ttlMillis > 0) {
      ((ExtendedMapEntry<Long, Object>) entry).setValue(value, ttlMillis, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(value); // the map's own time to live applies
    }
    return true;
  }
}
