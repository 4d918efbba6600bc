package io.catalogsuite.cacheprotocol;

/**
 * What a {@link LoadClaim} found: the entry that answers the lookup, another reader's claim to wait for, or a claim
 * of its own (the caller loads the product and puts it, or releases the claim).
 *
 * @param outcome   which of the three
 * @param entry     the entry found (a product, missing or deleted marker, or another's loading marker); null when
 *                  claimed
 * @param malformed whether the entry held something that is not a well-formed {@link CachedProduct}: it was
 *                  replaced by the claim, and the caller counts it
 */
public record Lookup(Outcome outcome, CachedProduct entry, boolean malformed) {
  public enum Outcome { FOUND, LOADING_ELSEWHERE, CLAIMED }

  static Lookup found(CachedProduct entry) {
    return new Lookup(entry.kind() == CachedProduct.Kind.LOADING ? Outcome.LOADING_ELSEWHERE : Outcome.FOUND,
        entry, false);
  }

  static Lookup claimed(boolean malformed) {
    return new Lookup(Outcome.CLAIMED, null, malformed);
  }
}
