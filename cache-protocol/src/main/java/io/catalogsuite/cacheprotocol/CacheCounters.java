package io.catalogsuite.cacheprotocol;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hits and misses of the lookups made on one member for one cache map.
 *
 * <p>Hazelcast has no miss counter, and its per-entry hit counter also counts the suite's own entry processors
 * ({@link VersionedPut}, {@link LoadClaim}), so the suite counts lookups itself, where they happen. The counters live in
 * the member's user context (one set per member, even with several members in one JVM) and
 * {@link MapStatsTask} adds them up across the cluster.
 */
public final class CacheCounters {
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  private CacheCounters() {
  }

  /** The counters of {@code map} on this member. */
  public static CacheCounters of(HazelcastInstance member, String map) {
    return (CacheCounters) member.getUserContext()
        .computeIfAbsent(CacheCounters.class.getName() + ":" + map, key -> new CacheCounters());
  }

  /** Counts one lookup: found or not. */
  public void lookup(boolean found) {
    (found ? hits : misses).increment();
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }
}
