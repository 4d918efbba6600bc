package io.catalogsuite.catalog.product;

import io.catalogsuite.catalog.cache.ProductDocument;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading the conditional headers of product requests. A product's entity tag is its version, quoted
 * ({@code "3"}: {@link ProductDocument#etagOf}).
 */
final class Etags {
  private Etags() {
  }

  /**
   * The versions an {@code If-Match} header accepts: null when any current version will do (no header, or
   * {@code *}); otherwise the listed ones, possibly none (then nothing matches, and the write gets a 412).
   */
  static List<Integer> versions(String ifMatch) {
    if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
      return null;
    }
    List<Integer> versions = new ArrayList<>();
    for (String tag : ifMatch.split(",")) {
      String t = tag.trim();
      if (t.length() > 2 && t.startsWith("\"") && t.endsWith("\"")) { // weak tags (W/"..") never match If-Match
        try {
          versions.add(Integer.parseInt(t.substring(1, t.length() - 1)));
        } catch (NumberFormatException ignored) {
          // a tag we never issued matches nothing
        }
      }
    }
    return versions;
  }

  /** Whether an {@code If-None-Match} header names this entity tag (weak comparison, as RFC 9110 asks). */
  static boolean matches(String ifNoneMatch, String tag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(tag) || c.equals("W/" + tag)) {
        return true;
      }
    }
    return false;
  }
}
