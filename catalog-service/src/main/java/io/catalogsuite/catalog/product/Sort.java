package io.catalogsuite.catalog.product;

import io.catalogsuite.common.http.ProblemException;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * The orders a product listing can come in. Each names its ORDER BY, the keyset condition that starts a page
 * after a cursor, and the index that serves both (see V4__search.sql).
 */
enum Sort {
  /** The default without {@code q}: primary key order. */
  ID("id", "id", "id > $%2$d", null),
  /** The default with {@code q}: best matches first (name matches outrank description matches). */
  RELEVANCE("relevance", "rank DESC, id DESC", "(%1$s, id) < ($%3$d::real, $%2$d)", "rank"),
  PRICE("price", "price_cents, id", "(price_cents, id) > ($%3$d, $%2$d)", "price_cents"),
  PRICE_DESC("-price", "price_cents DESC, id DESC", "(price_cents, id) < ($%3$d, $%2$d)", "price_cents"),
  NAME("name", "name, id", "(name, id) > ($%3$d, $%2$d)", "name"),
  NEWEST("newest", "created_at DESC, id DESC", "(created_at, id) < ($%3$d, $%2$d)", "created_at");

  private final String id;
  private final String orderBy;
  /** Format with: 1 the rank expression, 2 the id parameter's number, 3 the value parameter's number. */
  private final String after;
  private final String column;

  Sort(String id, String orderBy, String after, String column) {
    this.id = id;
    this.orderBy = orderBy;
    this.after = after;
    this.column = column;
  }

  String id() {
    return id;
  }

  String orderBy() {
    return orderBy;
  }

  String after(String rankExpression, int idParam, int valueParam) {
    return String.format(after, rankExpression, idParam, valueParam);
  }

  /** The result column holding the sort value; null for the id order. */
  String column() {
    return column;
  }

  /** A sort value read back from a cursor, typed for its SQL parameter. */
  Object cursorValue(Object json) {
    return switch (this) {
      case ID -> null;
      case RELEVANCE -> ((Number) json).floatValue();
      case PRICE, PRICE_DESC -> ((Number) json).longValue();
      case NAME -> (String) json;
      case NEWEST -> OffsetDateTime.parse((String) json);
    };
  }

  /** A sort value as a cursor stores it. */
  Object jsonValue(Object sqlValue) {
    return this == NEWEST ? sqlValue.toString() : sqlValue;
  }

  static Sort of(String id, boolean hasQuery) {
    if (id == null) {
      return hasQuery ? RELEVANCE : ID;
    }
    Sort sort = Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst().orElseThrow(() ->
        ProblemException.badRequest("sort must be one of relevance, price, -price, name, newest; got '" + id + "'"));
    if (sort == RELEVANCE && !hasQuery) {
      throw ProblemException.badRequest("sort=relevance needs a search query q");
    }
    return sort;
  }
}
