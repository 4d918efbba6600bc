package io.catalogsuite.cacheprotocol;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.LocalMapStats;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Reads one member's statistics of one map: Hazelcast's own (kept per member, for the entries it owns) and the
 * lookups counted on that member ({@link CacheCounters}). cache-service sends this task to every member that uses
 * the cache (cache-service and catalog-service, which both have this class) and adds the answers up.
 */
public final class MapStatsTask implements Callable<Map<String, Long>>, HazelcastInstanceAware, Serializable {
  private static final long serialVersionUID = 1L;

  private final String mapName;
  private transient HazelcastInstance hazelcast;

  public MapStatsTask(String mapName) {
    this.mapName = mapName;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  @Override
  public Map<String, Long> call() {
    LocalMapStats stats = hazelcast.getMap(mapName).getLocalMapStats();
    CacheCounters lookups = CacheCounters.of(hazelcast, mapName);
    Map<String, Long> values = new LinkedHashMap<>();
    values.put("entries", stats.getOwnedEntryCount());
    values.put("backupEntries", stats.getBackupEntryCount());
    // What this member's copies (owned and backups) of the map take on its heap, as Hazelcast counts it.
    values.put("memoryBytes", stats.getOwnedEntryMemoryCost() + stats.getBackupEntryMemoryCost());
    values.put("hits", lookups.hits());
    values.put("misses", lookups.misses());
    values.put("gets", stats.getGetOperationCount());
    values.put("puts", stats.getPutOperationCount() + stats.getSetOperationCount());
    values.put("removes", stats.getRemoveOperationCount());
    values.put("evictions", stats.getEvictionCount());
    values.put("expirations", stats.getExpirationCount());
    return values;
  }
}
