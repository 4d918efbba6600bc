package io.catalogsuite.catalog.events;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * A committed change of a product, as the outbox recorded it and the event bus and {@code GET /events} carry it.
 * Events are thin: they say what changed and to which version; the product itself is one GET away.
 *
 * @param position  the order of publication (the Server-Sent Event id; {@code Last-Event-ID} resumes after it)
 * @param type      {@code product.created}, {@code .updated}, {@code .deleted}, {@code .reserved} or
 *                  {@code .imported}
 * @param productId the product's id
 * @param sku       the product's sku
 * @param version   the product's version after the change (its last version, for a deletion)
 * @param at        when the change was written, ISO-8601
 */
public record ProductEvent(long position, String type, long productId, String sku, int version, String at) {
  public static final String DELETED = "product.deleted";

  public boolean deleted() {
    return DELETED.equals(type);
  }

  public JsonObject toJson() {
    return new JsonObject().put("position", position).put("type", type).put("productId", productId)
        .put("sku", sku).put("version", version).put("at", at);
  }

  public static ProductEvent fromJson(JsonObject json) {
    return new ProductEvent(json.getLong("position"), json.getString("type"), json.getLong("productId"),
        json.getString("sku"), json.getInteger("version"), json.getString("at"));
  }

  static ProductEvent of(Row row) {
    return new ProductEvent(row.getLong("position"), row.getString("type"), row.getLong("product_id"),
        row.getString("sku"), row.getInteger("version"), row.getOffsetDateTime("created_at").toInstant().toString());
  }
}
