package io.catalogsuite.catalog.product;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.Validator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast path never says "valid" to a body the schema library refuses, and does say it to ordinary products
 * (else it would be no faster). Checked against the library itself, on the product's schema (ProductInput in the API document), over many bodies
 * made to sit on every boundary the schema has.
 */
class SchemaFastPathTest {
  private static final JsonObject SCHEMA = schema();
  private static final SchemaFastPath FAST = SchemaFastPath.compile(SCHEMA).orElseThrow();
  private static final Validator LIBRARY = Validator.create(JsonSchema.of(SCHEMA),
      new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://catalog-suite.local/")
          .setOutputFormat(OutputFormat.Basic));

  private static JsonObject schema() {
    return ProductValidator.loadSchema();
  }

  private static boolean libraryValid(JsonObject body) {
    return LIBRARY.validate(body).getValid();
  }

  @Test
  void ordinaryProducts_areCertainlyValid() {
    List<JsonObject> bodies = List.of(
        ProductValidatorTest.valid(),
        ProductValidatorTest.valid().put("description", "Warm light").put("attributes", new JsonObject().put("w", 40)),
        ProductValidatorTest.valid().putNull("description").putNull("attributes"),
        ProductValidatorTest.valid().put("id", 7).put("version", 3).put("createdAt", "x").put("updatedAt", new JsonArray()),
        ProductValidatorTest.valid().put("name", "Lampe ✓ 漢字 🚀").put("sku", "a".repeat(64)).put("stock", 0)
            .put("priceCents", 9007199254740991L).put("description", "d".repeat(4000)),
        ProductValidatorTest.valid().put("name", "🚀".repeat(200))); // 200 code points, 400 chars
    for (JsonObject body : bodies) {
      assertThat(libraryValid(body)).as(body.encode()).isTrue();
      assertThat(FAST.certainlyValid(body)).as(body.encode()).isTrue();
    }
  }

  @Test
  void neverValid_whereTheLibraryRefuses() {
    Random random = new Random(20261202);
    int refusedByBoth = 0;
    for (int i = 0; i < 20_000; i++) {
      JsonObject body = mutate(ProductValidatorTest.valid().put("description", "d").put("attributes",
          new JsonObject()), random);
      boolean library = libraryValid(body);
      if (FAST.certainlyValid(body)) {
        assertThat(library).as("fast path said valid: %s", body.encode()).isTrue();
      } else if (!library) {
        refusedByBoth++;
      }
    }
    assertThat(refusedByBoth).as("the mutations do reach invalid bodies").isGreaterThan(5_000);
  }

  /** One to three fields changed to a value from the edges of the schema, removed, or a field added. */
  private static JsonObject mutate(JsonObject body, Random random) {
    String[] fields = {"sku", "name", "description", "category", "priceCents", "currency", "stock", "attributes",
        "id", "version", "colour", ""};
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      String field = fields[random.nextInt(fields.length)];
      if (random.nextInt(8) == 0) {
        body.remove(field);
      } else {
        body.put(field, value(random));
      }
    }
    return body;
  }

  private static Object value(Random random) {
    List<Object> values = new ArrayList<>(List.of(
        "", " ", "\t\n", "\u00a0", "\u2003", "\u3000", "\ufeff", "x", " x ", "EUR", "eur", "EU", "EURO", "ÉUR",
        "LAMP-1", "has space", "a.b_c-d", "a/b", "🚀", "\ud83d", "\ude80x", "a\u0000b",
        "a".repeat(63), "a".repeat(64), "a".repeat(65), "n".repeat(199), "n".repeat(200), "n".repeat(201),
        "🚀".repeat(32), "🚀".repeat(33), "🚀".repeat(199) + "n", "🚀".repeat(201), "d".repeat(4000),
        "d".repeat(4001), "🚀".repeat(2000), "🚀".repeat(2001), "c".repeat(64), "c".repeat(65),
        0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 2147483648L, 9007199254740991L, 9007199254740992L,
        -9007199254740992L, Long.MAX_VALUE, Long.MIN_VALUE, new BigInteger("99999999999999999999"),
        0.0, 5.0, 1.5, -0.0, Double.MAX_VALUE, true, false,
        new JsonObject(), new JsonObject().put("k", "v"), new JsonArray(), new JsonArray().add(1)));
    values.add(null);
    return values.get(random.nextInt(values.size()));
  }

  @Test
  void compile_refusesSchemasWithKeywordsItDoesNotKnow() {
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("type", "string").put("format", "email"))))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("type", "number"))))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("enum", new JsonArray().add(1)))))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("pattern", "x"))))).as("a rule with any type").isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("additionalProperties",
        new JsonObject().put("type", "string")))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("patternProperties",
        new JsonObject()))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "array"))).isEmpty();
    assertThat(SchemaFastPath.compile(new JsonObject().put("type", "object").put("properties",
        new JsonObject().put("a", new JsonObject().put("type", "integer").put("maximum", 1L << 53))))).isEmpty();
  }
}
