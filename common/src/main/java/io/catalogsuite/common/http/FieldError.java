package io.catalogsuite.common.http;

import io.vertx.core.json.JsonObject;

/**
 * One invalid field of a request body.
 *
 * @param field   JSON pointer to the field, e.g. {@code /priceCents}
 * @param message what is wrong with it, for a person
 */
public record FieldError(String field, String message) {
  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("message", message);
  }
}
