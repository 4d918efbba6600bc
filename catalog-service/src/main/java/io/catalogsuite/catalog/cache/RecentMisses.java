package io.catalogsuite.catalog.cache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The products that missed on this instance lately: the caches' admission ("doorkeeper"). Only a product that
 * misses again within the window goes through the shared map and into the near cache; one read once and not
 * again costs no cache call and evicts nothing.
 *
 * <p>A direct-mapped table of (id, time of its last miss) slots, sized at start: no lock, no allocation, no
 * maintenance, because it runs on every miss. Two ids that share a slot push each other out, and concurrent misses
 * may overwrite each other's slot halves. Either way the table only errs on admission, never on what is served:
 * a product may wait one more miss before it is cached, or be cached one miss early, and every product that is
 * cached is guarded by the near cache's tickets and leases alike.
 */
final class RecentMisses {
  private final AtomicLongArray slots; // [2i]: an id, [2i + 1]: the System.nanoTime() of its last miss
  private final int mask;
  private final long windowNanos;
  private final boolean admitsEveryMiss;

  /**
   * Room for about {@code ids} ids (rounded up to a power of two); a miss is recent for {@code windowMs}. With a
   * window of 0 there is no doorkeeper: no miss is a first one, every miss is admitted.
   */
  RecentMisses(int ids, long windowMs) {
    if (ids < 1 || windowMs < 0) {
      throw new IllegalArgumentException("needs room for 1 id or more and a window of 0 ms or more, got " + ids
          + " and " + windowMs);
    }
    this.admitsEveryMiss = windowMs == 0;
    int size = admitsEveryMiss || ids == 1 ? 1 : Integer.highestOneBit(ids - 1) << 1;
    this.slots = new AtomicLongArray(2 * size);
    this.mask = size - 1;
    this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
    for (int slot = 0; slot < size; slot++) {
      slots.setPlain(2 * slot, Long.MIN_VALUE); // no product has this id
    }
  }

  /** Records a miss of {@code id} at {@code now} (nanoTime): true unless it also missed within the window. */
  boolean firstMiss(long id, long now) {
    if (admitsEveryMiss) {
      return false;
    }
    int slot = 2 * (spread(id) & mask);
    boolean recent = slots.getOpaque(slot) == id && now - slots.getOpaque(slot + 1) < windowNanos;
    slots.setOpaque(slot + 1, now);
    slots.setOpaque(slot, id);
    return !recent;
  }

  /** Ids are mostly consecutive: mixed (MurmurHash3's 64-bit finalizer), so that slots fill evenly. */
  private static int spread(long id) {
    long h = id;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h;
  }
}
