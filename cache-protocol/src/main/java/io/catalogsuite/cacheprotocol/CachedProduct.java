package io.catalogsuite.cacheprotocol;

import java.util.Objects;

/**
 * What the shared {@code products} map holds for a product id: the product, or a marker that says why there is
 * none. Every entry carries a version, and the rule that keeps the cache from going stale is one comparison of
 * longs: a product at version {@code v} replaces an entry only if {@code v > entry.version()}.
 *
 * <ul>
 *   <li>{@link Kind#PRODUCT}: the product's JSON, as the API sends it, at its version.
 *   <li>{@link Kind#MISSING}: no product has this id (negative caching). Version 0, so the product's first
 *       version, 1, replaces it at once.
 *   <li>{@link Kind#TOMBSTONE}: the product was deleted. The highest version: nothing replaces it until it expires.
 *   <li>{@link Kind#STALE}: a newer version exists than the one cached (an invalidation); a miss for readers. Its
 *       version is the newest known one minus 1, so an older product cannot come back while the newest can.
 *   <li>{@link Kind#LOADING}: one reader in the cluster is loading the product (a load claim); a miss for the
 *       others, who wait for it. Its version is that of what it replaced (-1 for nothing).
 * </ul>
 *
 * <p>Values are immutable (the body is never written to after construction) and travel in Hazelcast's Compact
 * format ({@link CacheProtocol}). An entry that is not a well-formed {@code CachedProduct}, whatever put it there,
 * is treated as absent by every reader and entry processor, and replaced or removed.
 */
public final class CachedProduct {
  /** What an entry stands for. */
  public enum Kind { PRODUCT, MISSING, TOMBSTONE, STALE, LOADING }

  /** The version of a tombstone: newer than any real version. */
  public static final long TOMBSTONE_VERSION = Long.MAX_VALUE;
  /** The largest body a product entry may hold (the catalog's own limit for a product is far below it). */
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final CachedProduct MISSING = new CachedProduct(Kind.MISSING, 0, null);
  private static final CachedProduct TOMBSTONE = new CachedProduct(Kind.TOMBSTONE, TOMBSTONE_VERSION, null);

  private final Kind kind;
  private final long version;
  private final byte[] body;

  CachedProduct(Kind kind, long version, byte[] body) {
    this.kind = kind;
    this.version = version;
    this.body = body;
  }

  /** A product at {@code version} (1 or more), {@code json} being its UTF-8 JSON; the array is kept, not copied. */
  public static CachedProduct product(long version, byte[] json) {
    CachedProduct product = new CachedProduct(Kind.PRODUCT, version, Objects.requireNonNull(json, "json"));
    if (!product.wellFormed()) {
      throw new IllegalArgumentException("a product needs a version from 1 and a body of 1 to " + MAX_BODY_BYTES
          + " bytes; got version " + version + " and " + json.length + " bytes");
    }
    return product;
  }

  public static CachedProduct missing() {
    return MISSING;
  }

  public static CachedProduct tombstone() {
    return TOMBSTONE;
  }

  /** A miss that no version up to {@code floor} can replace. */
  public static CachedProduct stale(long floor) {
    return new CachedProduct(Kind.STALE, floor, null);
  }

  /** A load claim, replacing an entry of version {@code floor} (-1 for none). */
  public static CachedProduct loading(long floor) {
    return new CachedProduct(Kind.LOADING, floor, null);
  }

  public Kind kind() {
    return kind;
  }

  public long version() {
    return version;
  }

  /** The product's JSON (a product only; null otherwise). Shared, not copied: never write to it. */
  public byte[] body() {
    return body;
  }

  /** Whether a lookup ends here: a product, or the knowledge that there is none (missing, deleted). */
  public boolean answers() {
    return kind == Kind.PRODUCT || kind == Kind.MISSING || kind == Kind.TOMBSTONE;
  }

  /** Whether a product at {@code newVersion} may replace this entry. */
  public boolean replaceableBy(long newVersion) {
    return newVersion > version;
  }

  /**
   * Whether this value keeps the protocol's rules. One that does not (written by an older or foreign member,
   * or by hand) is treated as if the entry were empty.
   */
  public boolean wellFormed() {
    if (kind == null) {
      return false;
    }
    return switch (kind) {
      case PRODUCT -> version >= 1 && version < TOMBSTONE_VERSION && body != null && body.length > 0
          && body.length <= MAX_BODY_BYTES;
      case MISSING -> version == 0 && body == null;
      case TOMBSTONE -> version == TOMBSTONE_VERSION && body == null;
      case STALE -> version >= 0 && version < TOMBSTONE_VERSION && body == null;
      case LOADING -> version >= -1 && version < TOMBSTONE_VERSION && body == null;
    };
  }

  /** {@code value} as a well-formed entry, or null when it is anything else (null included). */
  public static CachedProduct wellFormedOrNull(Object value) {
    return value instanceof CachedProduct cached && cached.wellFormed() ? cached : null;
  }

  @Override
  public String toString() {
    return kind + "@" + version + (body == null ? "" : " (" + body.length + " bytes)");
  }
}
