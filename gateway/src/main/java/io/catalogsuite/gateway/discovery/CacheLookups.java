package io.catalogsuite.gateway.discovery;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One cache of an instance as its {@code /health} body reports it: the lookups it served (hits) and did not
 * (misses) since the instance started. catalog-service reports its near cache ({@code near}) and the shared map
 * ({@code shared}).
 */
public record CacheLookups(long hits, long misses) {
  /** A body reports this many caches at most; a longer list is cut, not grown without bound. */
  static final int MAX_CACHES = 4;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

  public CacheLookups {
    if (hits < 0 || misses < 0) {
      throw new IllegalArgumentException("lookups cannot be negative: " + hits + " hits, " + misses + " misses");
    }
  }

  /** Hits over lookups; 0 before the first lookup. */
  public double hitRatio() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }

  public JsonObject toJson() {
    return new JsonObject().put("hits", hits).put("misses", misses)
        .put("hitRatio", Math.round(hitRatio() * 10_000) / 10_000.0);
  }

  /**
   * The caches of a {@code /health} body, {@code {"caches":{"near":{"hits":3,"misses":1},...}}}, in its order;
   * none when it reports none. What is not of that shape (a name, a count) is left out, never an error: a probe
   * is about liveness, and an instance's body is not the gateway's to reject.
   */
  static Map<String, CacheLookups> fromHealth(Buffer body) {
    JsonObject caches;
    try {
      caches = body.length() == 0 ? null : body.toJsonObject().getJsonObject("caches");
    } catch (DecodeException | ClassCastException e) {
      return Map.of();
    }
    if (caches == null) {
      return Map.of();
    }
    Map<String, CacheLookups> found = new LinkedHashMap<>();
    for (Map.Entry<String, Object> cache : caches) {
      if (found.size() == MAX_CACHES) {
        break;
      }
      if (NAME.matcher(cache.getKey()).matches() && cache.getValue() instanceof JsonObject counts
          && counts.getValue("hits") instanceof Number hits && counts.getValue("misses") instanceof Number misses
          && hits.longValue() >= 0 && misses.longValue() >= 0) {
        found.put(cache.getKey(), new CacheLookups(hits.longValue(), misses.longValue()));
      }
    }
    return Collections.unmodifiableMap(found);
  }
}
