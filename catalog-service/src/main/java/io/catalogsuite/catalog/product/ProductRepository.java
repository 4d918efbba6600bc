package io.catalogsuite.catalog.product;

import io.catalogsuite.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * Products in Postgres. Every statement is a single prepared statement (atomic on its own, cached per connection,
 * and pipelined by the client), and every query is served by an index.
 */
final class ProductRepository {
  private static final String COLUMNS = ProductSearch.COLUMNS;

  /*
   * Every statement that changes a product also writes its event to the outbox (product_events), in the same
   * statement and so in the same transaction: the event exists exactly when the change committed. Its last
   * parameter is the write's trace (Tracing.traceparent(), NULL without one), which the relay's span links to.
   */

  private static final String INSERT = """
      WITH written AS (
        INSERT INTO products (sku, name, description, category, price_cents, currency, stock, attributes)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING\s""" + COLUMNS + """
      ),
      event AS (
        INSERT INTO product_events (type, product_id, sku, version, traceparent)
        SELECT 'product.created', id, sku, version, $9::text FROM written
      )
      SELECT * FROM written""";

  private static final String FIND_BY_ID = "SELECT " + COLUMNS + " FROM products WHERE id = $1";

  /** Full replace; with $10 set, only if the stored version is one of $10 (optimistic concurrency). */
  private static final String REPLACE = """
      WITH written AS (
        UPDATE products
           SET sku = $2, name = $3, description = $4, category = $5, price_cents = $6, currency = $7, stock = $8,
               attributes = $9, version = version + 1, updated_at = now()
         WHERE id = $1 AND ($10::integer[] IS NULL OR version = ANY ($10))
        RETURNING\s""" + COLUMNS + """
      ),
      event AS (
        INSERT INTO product_events (type, product_id, sku, version, traceparent)
        SELECT 'product.updated', id, sku, version, $11::text FROM written
      )
      SELECT * FROM written""";

  private static final String DELETE = """
      WITH deleted AS (DELETE FROM products WHERE id = $1 RETURNING id, sku, version)
      INSERT INTO product_events (type, product_id, sku, version, traceparent)
      SELECT 'product.deleted', id, sku, version, $2::text FROM deleted""";

  /**
   * Takes $2 from the stock of product $1 and records the reservation, in one statement: the conditional
   * update only matches while enough stock is left (the row lock serialises concurrent reservations), and the
   * insert only happens if it matched. No row back: unknown product, or not enough stock.
   */
  private static final String RESERVE = """
      WITH reserved AS (
        UPDATE products SET stock = stock - $2, version = version + 1, updated_at = now()
         WHERE id = $1 AND stock >= $2
        RETURNING\s""" + COLUMNS + """
      ),
      reservation AS (
        INSERT INTO reservations (product_id, quantity) SELECT id, $2 FROM reserved
        RETURNING id AS reservation_id, created_at AS reserved_at
      ),
      event AS (
        INSERT INTO product_events (type, product_id, sku, version, traceparent)
        SELECT 'product.reserved', id, sku, version, $3::text FROM reserved
      )
      SELECT * FROM reservation CROSS JOIN reserved""";

  private final SqlClient client;
  private final Tracing tracing;

  ProductRepository(SqlClient client, Tracing tracing) {
    this.client = client;
    this.tracing = tracing;
  }

  /** The pipelining client that runs single statements outside a transaction. */
  SqlClient client() {
    return client;
  }

  /** Inserts the product, through {@code on} (the client, or a transaction's connection). */
  Future<JsonObject> insert(SqlClient on, ProductInput product) {
    return on.preparedQuery(INSERT).execute(writeParams(product)).map(ProductRepository::single);
  }

  /** The product, or null when there is none with this id. */
  Future<JsonObject> findById(long id) {
    return findById(client, id);
  }

  Future<JsonObject> findById(SqlClient on, long id) {
    return on.preparedQuery(FIND_BY_ID).execute(Tuple.of(id)).map(ProductRepository::single);
  }

  /**
   * Replaces the product; null when no row matched, i.e. the id is unknown or (with {@code expectedVersions})
   * the product has changed since.
   */
  Future<JsonObject> replace(long id, ProductInput product, List<Integer> expectedVersions) {
    Tuple params = Tuple.of(id).addValue(product.sku()).addValue(product.name()).addValue(product.description())
        .addValue(product.category()).addValue(product.priceCents()).addValue(product.currency())
        .addValue(product.stock()).addValue(product.attributes())
        .addValue(expectedVersions == null ? null : expectedVersions.toArray(Integer[]::new))
        .addValue(tracing.traceparent());
    return client.preparedQuery(REPLACE).execute(params).map(ProductRepository::single);
  }

  /** Whether a product was deleted. */
  Future<Boolean> delete(long id) {
    return client.preparedQuery(DELETE).execute(Tuple.of(id, tracing.traceparent()))
        .map(rows -> rows.rowCount() == 1);
  }

  /** A reservation and the product as it is after it, or null when the product is unknown or short of stock. */
  Future<Reservation> reserve(SqlClient on, long id, int quantity) {
    return on.preparedQuery(RESERVE).execute(Tuple.of(id, quantity, tracing.traceparent())).map(rows -> {
      var iterator = rows.iterator();
      if (!iterator.hasNext()) {
        return null;
      }
      Row row = iterator.next();
      return new Reservation(row.getLong("reservation_id"), quantity,
          row.getOffsetDateTime("reserved_at").toInstant().toString(), toJson(row));
    });
  }

  record Reservation(long id, int quantity, String createdAt, JsonObject product) {
    JsonObject toJson() {
      return new JsonObject().put("id", id).put("productId", product.getLong("id")).put("quantity", quantity)
          .put("createdAt", createdAt).put("remainingStock", product.getInteger("stock"));
    }
  }

  /** One page of a listing, each product with the value it was sorted by (for the next cursor). */
  Future<List<Hit>> search(ProductSearch search) {
    ProductSearch.Sql sql = search.toSql();
    String column = search.sort().column();
    return client.preparedQuery(sql.text()).execute(sql.params()).map(rows -> {
      List<Hit> hits = new ArrayList<>(rows.size());
      rows.forEach(row -> hits.add(new Hit(toJson(row), column == null ? null : row.getValue(column))));
      return hits;
    });
  }

  /** A product of a listing and the value it was sorted by. */
  record Hit(JsonObject product, Object sortValue) {
  }

  private Tuple writeParams(ProductInput p) {
    return Tuple.of(p.sku(), p.name(), p.description(), p.category(), p.priceCents(), p.currency(), p.stock())
        .addValue(p.attributes()).addValue(tracing.traceparent());
  }

  private static JsonObject single(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? toJson(iterator.next()) : null;
  }

  static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("sku", row.getString("sku"))
        .put("name", row.getString("name"))
        .put("description", row.getString("description"))
        .put("category", row.getString("category"))
        .put("priceCents", row.getLong("price_cents"))
        .put("currency", row.getString("currency"))
        .put("stock", row.getInteger("stock"))
        .put("attributes", row.getJsonObject("attributes"))
        .put("version", row.getInteger("version"))
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }
}
