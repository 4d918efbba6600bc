package io.catalogsuite.catalog.imports;

import io.vertx.core.json.JsonObject;

/**
 * Why one line of an import was not written.
 *
 * @param line   its number in the upload, from 1
 * @param reason for a person, e.g. {@code /priceCents: must be >= 0}; never a stack trace
 */
record LineError(long line, String reason) {
  JsonObject toJson() {
    return new JsonObject().put("line", line).put("reason", reason);
  }
}
