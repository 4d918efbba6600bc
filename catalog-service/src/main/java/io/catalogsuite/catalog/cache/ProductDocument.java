package io.catalogsuite.catalog.cache;

import io.catalogsuite.cacheprotocol.CachedProduct;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A product as {@code GET /products/{id}} sends it: its JSON, encoded once, with its version and entity tag. The
 * caches keep it in this form, so a cached read parses nothing and writes the body bytes as they are.
 *
 * @param id      the product's id
 * @param version its version
 * @param etag    its entity tag: the version, quoted ({@code "3"})
 * @param body    its JSON; shared by every response that sends it, never written to
 */
public record ProductDocument(long id, long version, String etag, Buffer body) {

  /** The document of a product as the repository returns it. */
  public static ProductDocument of(JsonObject product) {
    long version = product.getLong("version");
    return new ProductDocument(product.getLong("id"), version, etagOf(version), product.toBuffer());
  }

  /** The document a shared-map entry holds; {@code entry} is a product. */
  static ProductDocument of(long id, CachedProduct entry) {
    return new ProductDocument(id, entry.version(), etagOf(entry.version()), Buffer.buffer(entry.body()));
  }

  /** The entity tag of a version: strong, since a version names exactly one representation. */
  public static String etagOf(long version) {
    return "\"" + version + "\"";
  }

  /** The shared map's entry for this document. */
  CachedProduct toEntry() {
    return CachedProduct.product(version, body.getBytes());
  }

  /** Its size in bytes, as the near cache weighs it. */
  int bytes() {
    return body.length();
  }
}
