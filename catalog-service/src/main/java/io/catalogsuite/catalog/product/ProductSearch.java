package io.catalogsuite.catalog.product;

import io.vertx.sqlclient.Tuple;

/**
 * One product listing: what to filter, in which order, from where, how many. Builds its SQL from fixed pieces
 * with every value as a parameter.
 *
 * @param q        full-text query over name and description, or null
 * @param category exact category, or null
 * @param minPrice lowest price in cents, or null
 * @param maxPrice highest price in cents, or null
 * @param inStock  only products with stock
 * @param sort     the order
 * @param after    where the page starts, or null for the first page
 * @param limit    rows to fetch
 */
record ProductSearch(String q, String category, Long minPrice, Long maxPrice, boolean inStock, Sort sort,
    PageCursor after, int limit) {

  static final String COLUMNS =
      "id, sku, name, description, category, price_cents, currency, stock, attributes, version, created_at, updated_at";

  /** The statement and its parameters. */
  record Sql(String text, Tuple params) {
  }

  Sql toSql() {
    Tuple params = Tuple.tuple();
    StringBuilder where = new StringBuilder(" WHERE true");
    String rank = null;
    if (q != null) {
      params.addValue(q);
      String query = "plainto_tsquery('simple', $" + params.size() + ")";
      rank = "ts_rank(search, " + query + ")";
      where.append(" AND search @@ ").append(query);
    }
    if (category != null) {
      params.addValue(category);
      where.append(" AND category = $").append(params.size());
    }
    if (minPrice != null) {
      params.addValue(minPrice);
      where.append(" AND price_cents >= $").append(params.size());
    }
    if (maxPrice != null) {
      params.addValue(maxPrice);
      where.append(" AND price_cents <= $").append(params.size());
    }
    if (inStock) {
      where.append(" AND stock > 0");
    }
    if (after != null) {
      params.addValue(after.id());
      int idParam = params.size();
      int valueParam = idParam;
      if (sort != Sort.ID) {
        params.addValue(after.value());
        valueParam = params.size();
      }
      where.append(" AND ").append(sort.after(rank, idParam, valueParam));
    }
    params.addValue(limit);
    String select = "SELECT " + COLUMNS + (rank == null ? "" : ", " + rank + " AS rank") + " FROM products";
    return new Sql(select + where + " ORDER BY " + sort.orderBy() + " LIMIT $" + params.size(), params);
  }
}
