package io.catalogsuite.catalog.product;

import io.catalogsuite.common.http.FieldError;
import io.catalogsuite.common.http.OpenApiDocument;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.Text;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a product body against the product's schema and returns every problem at once, one per field. The
 * schema is {@code ProductInput} in catalog-service's OpenAPI document, defined there once: what the API
 * documents is what it checks.
 *
 * <p>Rules the schema cannot say are {@link Text}'s: no NUL character and no unpaired surrogate in any text, and
 * no nesting deeper than {@value Text#MAX_JSON_DEPTH} levels; refused here, as a 400, before they can become a
 * database error or a listing that cannot be encoded. The import reads its lines through this validator too, so
 * both paths keep the same rules.
 *
 * <p>A body is first put to a {@link SchemaFastPath} compiled from the same schema: a product it finds certainly
 * valid skips the schema library (the common case, and most of an import's CPU time otherwise); any other body
 * goes through the library, which decides and words every error, so the outcome is the library's either way.
 *
 * <p>Thread-safe: one instance serves every event loop (POST /products, and each line of an import).
 */
public final class ProductValidator {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
  private final Validator validator;
  private final Set<String> knownFields;
  /** Empty only if the schema came to use a keyword the fast path does not know (a test keeps it present). */
  private final Optional<SchemaFastPath> fastPath;

  public ProductValidator() {
    JsonObject schema = loadSchema();
    this.knownFields = schema.getJsonObject("properties").fieldNames();
    this.fastPath = SchemaFastPath.compile(schema); // first: the library adds keys of its own to the schema
    this.validator = Validator.create(JsonSchema.of(schema),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("https://catalog-suite.local/")
            .setOutputFormat(OutputFormat.Basic));
  }

  /** Whether the fast path is in use: false would mean every body goes through the schema library. */
  boolean hasFastPath() {
    return fastPath.isPresent();
  }

  /** The validated input, or a 400 problem listing each invalid field. */
  public ProductInput validate(JsonObject body) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (fastPath.isEmpty() || !fastPath.get().certainlyValid(body)) {
      OutputUnit result = validator.validate(body);
      if (!result.getValid()) {
        Map<String, String> keywordOf = new LinkedHashMap<>();
        for (OutputUnit error : result.getErrors()) {
          addError(error, errors, keywordOf);
        }
      }
    }
    Text.jsonFault(body).ifPresent(fault -> errors.putIfAbsent(fault.field(), fault.message()));
    if (!errors.isEmpty()) {
      List<FieldError> fields = new ArrayList<>();
      errors.forEach((field, message) -> fields.add(new FieldError(field, message)));
      throw ProblemException.invalid(fields);
    }
    return ProductInput.from(body);
  }

  /**
   * Turns one schema error into a field error. The library reports a missing property on the object (with the
   * name only in its message) and one bad property several times over (once per keyword it fails); a client
   * wants one line per field, saying what is wrong with it.
   */
  private void addError(OutputUnit error, Map<String, String> errors, Map<String, String> keywordOf) {
    String keyword = error.getKeywordLocation();
    String field = pointer(error.getInstanceLocation());
    if (keyword.endsWith("/required")) {
      Matcher quoted = QUOTED.matcher(error.getError());
      errors.putIfAbsent(quoted.find() ? "/" + quoted.group(1) : "/", "is required");
    } else if (keyword.endsWith("/additionalProperties")) {
      if (!knownFields.contains(field.substring(1))) {
        errors.putIfAbsent(field, "is not a product field");
      }
    } else if (keyword.length() > keywordOf.getOrDefault(field, "").length()) {
      // the longest keyword location is the most specific: "/properties/stock/minimum" over "/properties"
      keywordOf.put(field, keyword);
      errors.put(field, error.getError());
    }
  }

  /** The schema library reports locations as {@code #/field}; problems use plain JSON pointers. */
  private static String pointer(String instanceLocation) {
    String pointer = instanceLocation.startsWith("#") ? instanceLocation.substring(1) : instanceLocation;
    return pointer.isEmpty() ? "/" : pointer;
  }

  /** {@code ProductInput}, from the API document. */
  static JsonObject loadSchema() {
    return OpenApiDocument.read(OpenApiDocument.resource("catalog-service"))
        .getJsonObject("components").getJsonObject("schemas").getJsonObject("ProductInput");
  }
}
