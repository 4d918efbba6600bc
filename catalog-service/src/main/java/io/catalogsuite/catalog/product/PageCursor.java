package io.catalogsuite.catalog.product;

import io.catalogsuite.common.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of keyset pagination: it encodes the last id of the page it ends, and the next page
 * starts strictly after it. Unlike an offset, it neither skips nor repeats a row when rows are inserted or
 * deleted between two pages, and the database seeks to it through an index instead of counting rows.
 */
final class PageCursor {
  private static final String PREFIX = "after:";

  private PageCursor() {
  }

  static String encode(long lastId) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
  }

  /** The id to continue after; 0 for the first page. A cursor this service did not issue is a 400. */
  static long decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(PREFIX)) {
        long id = Long.parseLong(text.substring(PREFIX.length()));
        if (id > 0) {
          return id;
        }
      }
    } catch (IllegalArgumentException e) { // bad base64 or bad number
      // reported below
    }
    throw ProblemException.badRequest("cursor is not valid; use the nextCursor of a previous page");
  }
}
