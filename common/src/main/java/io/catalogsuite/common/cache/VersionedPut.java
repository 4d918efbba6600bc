package io.catalogsuite.common.cache;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes a versioned JSON document into a cache entry only if it is newer than what the entry holds, atomically
 * on the entry's owner.
 *
 * <p>This is what keeps cache-aside from going stale. A reader that loaded version 3 from the database can
 * reach the cache after a writer stored version 4; an unconditional put would then bring version 3 back.
 * With this processor the older version loses, whatever the order of arrival. A deletion is recorded as a
 * tombstone with the highest version, so a late reader cannot resurrect a deleted document either; the
 * tombstone expires after its own time to live.
 *
 * <p>It lives in the common module because entry processors run on whichever member owns the key, and every
 * member (gateway, catalog, cache) owns some.
 */
public final class VersionedPut implements EntryProcessor<String, String, Boolean> {
  private static final long serialVersionUID = 1L;
  private static final String MISSING_JSON = "{\"missing\":true,\"version\":0}";
  /** The version of a tombstone: newer than any real version. */
  public static final long TOMBSTONE_VERSION = Long.MAX_VALUE;

  private final String json;
  private final long version;
  private final long ttlMillis;

  private VersionedPut(String json, long version, long ttlMillis) {
    this.json = json;
    this.version = version;
    this.ttlMillis = ttlMillis;
  }

  /** Stores {@code json} (which carries {@code "version": version}) unless the entry holds a newer one. */
  public static VersionedPut of(String json, long version) {
    return new VersionedPut(json, version, -1);
  }

  /** Marks the key deleted for {@code ttl}; no version can replace it meanwhile. */
  public static VersionedPut tombstone(long ttl, TimeUnit unit) {
    return new VersionedPut(tombstoneJson(), TOMBSTONE_VERSION, unit.toMillis(ttl));
  }

  public static boolean isTombstone(String cached) {
    return cached != null && cached.equals(tombstoneJson());
  }

  /**
   * Remembers for {@code ttl} that the key has no document (negative caching). It has version 0, so the first
   * real version (1, when the document is created) replaces it at once: a new document is never hidden.
   */
  public static VersionedPut missing(long ttl, TimeUnit unit) {
    return new VersionedPut(MISSING_JSON, 0, unit.toMillis(ttl));
  }

  public static boolean isMissing(String cached) {
    return MISSING_JSON.equals(cached);
  }

  static String tombstoneJson() {
    return "{\"deleted\":true,\"version\":" + TOMBSTONE_VERSION + "}";
  }

  @Override
  public Boolean process(Map.Entry<String, String> entry) {
    String current = entry.getValue();
    if (current != null && versionOf(current) >= version) {
      return false;
    }
    if (ttlMillis > 0) {
      ((ExtendedMapEntry<String, String>) entry).setValue(json, ttlMillis, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(json); // the map's own time to live applies
    }
    return true;
  }

  /** The version a cached value carries (0 when it has none). */
  static long versionOf(String cached) {
    return new JsonObject(cached).getLong("version", 0L);
  }
}
