package io.catalogsuite.catalog.product;

import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Text;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque cursor of keyset pagination: the sort it belongs to, and the sort value and id of the last item
 * of the page it ends. The next page starts strictly after that (value, id) pair. Unlike an offset it neither
 * skips nor repeats a row when rows are inserted or deleted between two pages, and the database seeks to it
 * through the sort's index instead of counting rows.
 *
 * @param sort  the sort the cursor was made for; a cursor is only valid with the same sort
 * @param value the last item's sort value (price, name, creation time, rank); null for the id order
 * @param id    the last item's id
 */
record PageCursor(Sort sort, Object value, long id) {

  String encode() {
    String json = new JsonObject().put("s", sort.id()).put("v", value).put("i", id).encode();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor to continue after; null for the first page. A cursor not made for {@code sort} is a 400. */
  static PageCursor decode(String cursor, Sort sort) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      long id = json.getLong("i");
      // A tampered cursor may carry any text as its last value: it goes to Postgres only if storable.
      if (sort.id().equals(json.getString("s")) && id > 0 && Text.jsonFault(json).isEmpty()) {
        return new PageCursor(sort, sort.cursorValue(json.getValue("v")), id);
      }
    } catch (RuntimeException e) { // bad base64, JSON, types or values
      // reported below
    }
    throw ProblemException.badRequest("cursor is not valid for this listing; use the nextCursor of a previous page");
  }
}
