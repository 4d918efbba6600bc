package io.catalogsuite.catalog.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.catalogsuite.common.http.FieldError;
import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProductValidatorTest {
  private final ProductValidator validator = new ProductValidator();

  static JsonObject valid() {
    return new JsonObject().put("sku", "LAMP-1").put("name", "Desk lamp").put("category", "home")
        .put("priceCents", 1999).put("currency", "EUR").put("stock", 5);
  }

  private List<FieldError> errorsOf(JsonObject body) {
    ProblemException problem = catchThrowableOfType(ProblemException.class, () -> validator.validate(body));
    assertThat(problem).as("expected a validation problem").isNotNull();
    assertThat(problem.status()).isEqualTo(400);
    return problem.errors();
  }

  private List<String> fieldsOf(JsonObject body) {
    return errorsOf(body).stream().map(FieldError::field).toList();
  }

  @Test
  void productSchema_hasItsFastPath() {
    assertThat(validator.hasFastPath()).as("ProductInput uses only keywords SchemaFastPath knows").isTrue();
  }

  @Test
  void validate_minimal() {
    ProductInput input = validator.validate(valid());
    assertThat(input.sku()).isEqualTo("LAMP-1");
    assertThat(input.description()).isNull();
    assertThat(input.attributes()).isNull();
  }

  @Test
  void validate_full_withReadOnlyFieldsIgnored() {
    JsonObject body = valid().put("description", "Warm light").put("attributes", new JsonObject().put("w", 40))
        .put("id", 7).put("version", 3).put("createdAt", "x").put("updatedAt", "y");
    ProductInput input = validator.validate(body);
    assertThat(input.attributes()).isEqualTo(new JsonObject().put("w", 40));
  }

  @Test
  void validate_missingFields() {
    assertThat(errorsOf(new JsonObject())).containsExactly(
        new FieldError("/sku", "is required"), new FieldError("/name", "is required"),
        new FieldError("/category", "is required"), new FieldError("/priceCents", "is required"),
        new FieldError("/currency", "is required"), new FieldError("/stock", "is required"));
  }

  @Test
  void validate_missingAndWrong_together() {
    JsonObject body = valid().put("priceCents", "12");
    body.remove("sku");
    assertThat(errorsOf(body)).containsExactlyInAnyOrder(new FieldError("/sku", "is required"),
        new FieldError("/priceCents", "Instance type string is invalid. Expected integer"));
  }

  @Test
  void validate_wrongTypes_reportEachField() {
    JsonObject body = valid().put("priceCents", "12").put("stock", 1.5).put("name", 42);
    assertThat(fieldsOf(body)).containsExactlyInAnyOrder("/priceCents", "/stock", "/name");
  }

  @Test
  void validate_outOfRange() {
    assertThat(fieldsOf(valid().put("priceCents", -1))).containsExactly("/priceCents");
    assertThat(fieldsOf(valid().put("stock", 2147483648L))).containsExactly("/stock");
    assertThat(fieldsOf(valid().put("sku", "a".repeat(65)))).containsExactly("/sku");
    assertThat(fieldsOf(valid().put("sku", "has space"))).containsExactly("/sku");
    assertThat(fieldsOf(valid().put("name", ""))).containsExactly("/name");
    assertThat(fieldsOf(valid().put("name", "   "))).containsExactly("/name");
    assertThat(fieldsOf(valid().put("name", "n".repeat(201)))).containsExactly("/name");
    assertThat(fieldsOf(valid().put("description", "d".repeat(4001)))).containsExactly("/description");
    assertThat(fieldsOf(valid().put("category", "c".repeat(65)))).containsExactly("/category");
    assertThat(fieldsOf(valid().put("currency", "eur"))).containsExactly("/currency");
    assertThat(fieldsOf(valid().put("attributes", "not an object"))).containsExactly("/attributes");
  }

  @Test
  void validate_unknownField() {
    assertThat(errorsOf(valid().put("colour", "red"))).containsExactly(
        new FieldError("/colour", "is not a product field"));
  }

  @Test
  void validate_nulCharacter_rejected() {
    assertThat(fieldsOf(valid().put("name", "a\u0000b"))).containsExactly("/name");
    assertThat(fieldsOf(valid().put("attributes", new JsonObject().put("k", "v\u0000"))))
        .containsExactly("/attributes/k");
    assertThat(errorsOf(valid().put("attributes", new JsonObject().put("list",
        new JsonArray().add("ok").add(new JsonObject().put("deep", "\u0000"))))))
        .containsExactly(new FieldError("/attributes/list/1/deep", "must not contain the NUL character (U+0000) or unpaired surrogates"));
    assertThat(errorsOf(valid().put("attributes", new JsonObject().put("k\u0000", 1))))
        .containsExactly(new FieldError("/attributes", "keys must not contain the NUL character (U+0000) or unpaired surrogates"));
  }

  /** An unpaired surrogate is not Unicode: encoded to UTF-8 for Postgres it would silently become '?'. */
  @Test
  void validate_unpairedSurrogates_rejected_pairsAccepted() {
    assertThat(fieldsOf(valid().put("name", "a\ud800b"))).containsExactly("/name");
    assertThat(fieldsOf(valid().put("description", "end\udc00"))).containsExactly("/description");
    assertThat(validator.validate(valid().put("name", "rocket \ud83d\ude80")).name()).isEqualTo("rocket 🚀");
  }

  /** Deeper than Text.MAX_JSON_DEPTH (32) is refused where it is, however it would validate otherwise. */
  @Test
  void validate_nestingDeeperThan32_rejected() {
    validator.validate(valid().put("attributes", nested(31))); // accepted: the body is level 1, so 32 in all
    assertThat(fieldsOf(valid().put("attributes", nested(32)))).singleElement().asString().startsWith("/attributes/");
    assertThat(errorsOf(valid().put("attributes", nested(998)))).singleElement()
        .satisfies(error -> assertThat(error.message()).isEqualTo("nests deeper than 32 levels"))
        .satisfies(error -> assertThat(error.field()).startsWith("/attributes/k/k/"));
  }

  /** {@code levels} objects inside each other, under the key "k". */
  private static JsonObject nested(int levels) {
    JsonObject inner = new JsonObject().put("v", 1);
    for (int i = 1; i < levels; i++) {
      inner = new JsonObject().put("k", inner);
    }
    return inner;
  }

  @Test
  void validate_unicodeAndInjectionStrings_accepted() {
    ProductInput input = validator.validate(valid().put("name", "Lampe ✓ 漢字 🚀 '; DROP TABLE products; --"));
    assertThat(input.name()).contains("🚀");
  }
}
