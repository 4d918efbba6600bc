package io.catalogsuite.catalog.product;

import io.vertx.core.json.JsonObject;

/** The writable fields of a product, after validation. */
public record ProductInput(String sku, String name, String description, String category, long priceCents,
    String currency, int stock, JsonObject attributes) {

  static ProductInput from(JsonObject valid) {
    return new ProductInput(
        valid.getString("sku"),
        valid.getString("name"),
        valid.getString("description"),
        valid.getString("category"),
        valid.getLong("priceCents"),
        valid.getString("currency"),
        valid.getInteger("stock"),
        valid.getJsonObject("attributes"));
  }
}
