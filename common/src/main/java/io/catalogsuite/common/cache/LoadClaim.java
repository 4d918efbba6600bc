package io.catalogsuite.common.cache;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Claims the load of a missing key for one caller in the whole cluster (single-flight across instances):
 * when the entry is empty or invalidated, it becomes a loading marker for a short time and the claim succeeds
 * (null back); otherwise the claim fails and the caller gets what the entry holds: a value, or another
 * caller's loading marker, which it waits on.
 *
 * <p>The marker keeps the version of what it replaced (-1 for nothing), so it takes part in the version rules:
 * the loaded value replaces it ({@link VersionedPut}), and a change committed while loading
 * ({@link VersionedInvalidation}) turns it into a stale marker, which the loader's older value cannot replace.
 * A loader that dies leaves a marker that expires after its time to live; a waiter then claims the load itself.
 */
public final class LoadClaim implements EntryProcessor<String, String, String> {
  private static final long serialVersionUID = 1L;
  private static final String LOADING_PREFIX = "{\"loading\":true,";

  private final long ttlMillis;

  private LoadClaim(long ttlMillis) {
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
   * Gives a claim up without a value (the load failed, or found nothing to cache): the loading marker goes,
   * so that waiters claim the load at once instead of waiting for the marker to expire.
   */
  public static EntryProcessor<String, String, Boolean> release() {
    return new Release();
  }

  /** Whether a cached value is a loading marker (a miss, for readers, that someone is filling). */
  public static boolean isLoading(String cached) {
    return cached != null && cached.startsWith(LOADING_PREFIX);
  }

  @Override
  public String process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    if (current != null && !VersionedInvalidation.isStale(current)) {
      return current;
    }
    long floor = current == null ? -1 : VersionedPut.versionOf(current);
    ((ExtendedMapEntry<String, String>) entry)
        .setValue(LOADING_PREFIX + "\"version\":" + floor + "}", ttlMillis, TimeUnit.MILLISECONDS);
    return null;
  }

  private static final class Release implements EntryProcessor<String, String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, String> entry) {
      String current = entry.getValue();
      if (!isLoading(current)) {
        return false;
      }
      long floor = VersionedPut.versionOf(current);
      if (floor < 0) {
        entry.setValue(null); // removes the entry: there was nothing before the claim
      } else {
        // It replaced a stale marker: put that back, so that older versions still cannot come in.
        ((ExtendedMapEntry<String, String>) entry).setValueWithoutChangingExpiryTime(
            VersionedInvalidation.staleJson(floor));
      }
      return true;
    }
  }
}
