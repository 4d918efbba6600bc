package io.catalogsuite.catalog.cache;

/**
 * What one instance holds of products that a change can make old: its near cache, and the lookups it has in
 * flight (a reader that joins a lookup started before a write must not get that lookup's older answer). What
 * {@link NearCacheCoherence} reaches on this instance when a product changes, or when it may have missed a change.
 */
interface LocalCaches {
  /** Product {@code id} is at {@code version} now ({@code TOMBSTONE_VERSION}: deleted). */
  void invalidate(long id, long version);

  /** Anything may have changed. */
  void clear();
}
