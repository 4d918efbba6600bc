package io.catalogsuite.cacheprotocol;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Looks a product up and, on a miss, claims its load for the caller in the whole cluster (single-flight across
 * instances), in one call on the entry's owner: one round trip for a hit and for a miss alike.
 *
 * <p>When the entry answers (a product, a missing or deleted marker), or holds another reader's claim, that is
 * what comes back. Otherwise (nothing, a stale marker, or a value that is not a well-formed entry) the entry
 * becomes this caller's {@link CachedProduct#loading loading marker} for a short time. The marker keeps the version
 * of what it replaced, so it takes part in the version rules: the loaded product replaces it
 * ({@link VersionedPut}); a change committed while loading ({@link Invalidation}) turns it into a stale marker,
 * which the loader's older product cannot replace. A loader that dies leaves a marker that expires after its time to
 * live; a waiter then claims the load itself.
 */
public final class LoadClaim implements EntryProcessor<Long, Object, Lookup> {
  private static final long serialVersionUID = 1L;

  final long ttlMillis;

  LoadClaim(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  /** A claim whose marker lives {@code ttl}: longer than a load takes, short enough to outlive a dead loader. */
  public static LoadClaim forAtMost(long ttl, TimeUnit unit) {
    if (ttl <= 0) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    return new LoadClaim(unit.toMillis(ttl));
  }

  /**
   * Gives a claim up without a product (the load failed, or found nothing to cache): the loading marker goes, so
   * that waiters claim the load at once instead of waiting for the marker to expire.
   */
  public static EntryProcessor<Long, Object, Boolean> release() {
    return Release.INSTANCE;
  }

  @Override
  public Lookup process(Map.Entry<Long, Object> entry) {
    Object value = entry.getValue();
    CachedProduct current = CachedProduct.wellFormedOrNull(value);
    if (current != null && (current.answers() || current.kind() == CachedProduct.Kind.LOADING)) {
      return Lookup.found(current);
    }
    long floor = current == null ? -1 : current.version(); // nothing, or a stale marker
    ((ExtendedMapEntry<Long, Object>) entry).setValue(CachedProduct.loading(floor), ttlMillis, TimeUnit.MILLISECONDS);
    return Lookup.claimed(value != null && current == null);
  }

  static final class Release implements EntryProcessor<Long, Object, Boolean> {
    private static final long serialVersionUID = 1L;
    static final Release INSTANCE = new Release();

    @Override
    public Boolean process(Map.Entry<Long, Object> entry) {
      CachedProduct current = CachedProduct.wellFormedOrNull(entry.getValue());
      if (current == null || current.kind() != CachedProduct.Kind.LOADING) {
        return false;
      }
      if (current.version() < 0) {
        entry.setValue(null); // removes the entry: there was nothing before the claim
      } else {
        // It replaced a stale marker: put that back, so that older versions still cannot come in.
        ((ExtendedMapEntry<Long, Object>) entry).setValueWithoutChangingExpiryTime(
            CachedProduct.stale(current.version()));
      }
      return true;
    }
  }
}
