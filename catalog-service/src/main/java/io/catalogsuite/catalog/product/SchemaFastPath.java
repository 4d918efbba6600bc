package io.catalogsuite.catalog.product;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A quick "certainly valid" for a body that conforms to a JSON schema, compiled from that schema; for anything
 * else it says "not sure", and the caller runs the full schema validator, which decides and words the errors.
 * It therefore changes no outcome, only the cost of a valid body: the schema library walks the schema for each
 * value and compiles each {@code pattern} again on every check, which made it most of an import's CPU time.
 *
 * <p>It understands the keywords the product schema ({@code ProductInput} in the API document) uses, no more: at
 * the top, {@code type: object}, {@code required}, {@code additionalProperties} (a boolean) and
 * {@code properties}; in a property, {@code type} (among {@code string}, {@code integer}, {@code object}, {@code null}), {@code pattern},
 * {@code minLength}, {@code maxLength}, {@code minimum} and {@code maximum} (integers), or nothing at all
 * (any value); annotations ({@code $schema}, {@code $id}, {@code title}, {@code description}) are ignored. A
 * schema with any other keyword compiles to nothing ({@link #compile} is empty), and every body then goes to the
 * full validator. The checks are the library's own: patterns with {@link java.util.regex.Matcher#find()},
 * lengths in code points, integers as {@code Integer} or {@code Long} only (a {@code 5.0} or a huge number is
 * left to the library).
 *
 * <p>Immutable and thread-safe.
 */
final class SchemaFastPath {
  private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "title", "description", "$comment");
  private static final Set<String> TYPES = Set.of("string", "integer", "object", "null");
  /** Integers whose double is exact, as the library compares them: bounds and values beyond it are left to it. */
  private static final long EXACT = 1L << 53;

  private final Set<String> required;
  private final boolean additionalProperties;
  private final Map<String, Property> properties;

  private SchemaFastPath(Set<String> required, boolean additionalProperties, Map<String, Property> properties) {
    this.required = required;
    this.additionalProperties = additionalProperties;
    this.properties = properties;
  }

  /** The fast path for {@code schema}; empty when it uses anything this class does not understand. */
  static Optional<SchemaFastPath> compile(JsonObject schema) {
    Set<String> required = Set.of();
    boolean additional = true;
    Map<String, Property> properties = new HashMap<>();
    for (Map.Entry<String, Object> keyword : schema) {
      Object value = keyword.getValue();
      switch (keyword.getKey()) {
        case "type" -> {
          if (!"object".equals(value)) {
            return Optional.empty();
          }
        }
        case "required" -> {
          if (!(value instanceof JsonArray names) || !names.stream().allMatch(String.class::isInstance)) {
            return Optional.empty();
          }
          required = Set.copyOf(names.stream().map(String.class::cast).toList());
        }
        case "additionalProperties" -> {
          if (!(value instanceof Boolean allowed)) {
            return Optional.empty();
          }
          additional = allowed;
        }
        case "properties" -> {
          if (!(value instanceof JsonObject all)) {
            return Optional.empty();
          }
          for (Map.Entry<String, Object> property : all) {
            Optional<Property> compiled = property.getValue() instanceof JsonObject one ? Property.compile(one)
                : Optional.empty();
            if (compiled.isEmpty()) {
              return Optional.empty();
            }
            properties.put(property.getKey(), compiled.get());
          }
        }
        default -> {
          if (!ANNOTATIONS.contains(keyword.getKey())) {
            return Optional.empty();
          }
        }
      }
    }
    if (!schema.containsKey("type")) {
      return Optional.empty();
    }
    return Optional.of(new SchemaFastPath(required, additional, Map.copyOf(properties)));
  }

  /** True only if {@code body} conforms to the schema; false when it does not, or may not. */
  boolean certainlyValid(JsonObject body) {
    for (String name : required) {
      if (!body.containsKey(name)) {
        return false;
      }
    }
    for (String name : body.fieldNames()) {
      Property property = properties.get(name);
      if (property == null) {
        if (!additionalProperties) {
          return false;
        }
      } else if (!property.accepts(body.getValue(name))) {
        return false;
      }
    }
    return true;
  }

  /** One property's rules. An empty {@code types} with no other rule accepts any value. */
  private record Property(Set<String> types, Pattern pattern, Integer minLength, Integer maxLength, Long minimum,
      Long maximum) {

    static Optional<Property> compile(JsonObject schema) {
      Set<String> types = Set.of();
      Pattern pattern = null;
      Integer minLength = null;
      Integer maxLength = null;
      Long minimum = null;
      Long maximum = null;
      for (Map.Entry<String, Object> keyword : schema) {
        Object value = keyword.getValue();
        switch (keyword.getKey()) {
          case "type" -> {
            List<?> names = value instanceof JsonArray array ? array.getList()
                : value instanceof String one ? List.of(one) : null;
            if (names == null || !names.stream().allMatch(TYPES::contains)) {
              return Optional.empty();
            }
            types = Set.copyOf(names.stream().map(String.class::cast).toList());
          }
          case "pattern" -> {
            if (!(value instanceof String regex)) {
              return Optional.empty();
            }
            pattern = Pattern.compile(regex);
          }
          case "minLength", "maxLength" -> {
            if (!(value instanceof Integer length)) {
              return Optional.empty();
            }
            if (keyword.getKey().equals("minLength")) {
              minLength = length;
            } else {
              maxLength = length;
            }
          }
          case "minimum", "maximum" -> {
            Long bound = exactInteger(value);
            if (bound == null) {
              return Optional.empty();
            }
            if (keyword.getKey().equals("minimum")) {
              minimum = bound;
            } else {
              maximum = bound;
            }
          }
          default -> {
            if (!ANNOTATIONS.contains(keyword.getKey())) {
              return Optional.empty();
            }
          }
        }
      }
      boolean constrained = pattern != null || minLength != null || maxLength != null || minimum != null
          || maximum != null;
      if (types.isEmpty() && constrained) {
        return Optional.empty(); // rules that apply to some types only, with any type allowed: left to the library
      }
      return Optional.of(new Property(types, pattern, minLength, maxLength, minimum, maximum));
    }

    boolean accepts(Object value) {
      if (types.isEmpty()) {
        return true;
      }
      if (value == null) {
        return types.contains("null");
      }
      if (value instanceof String text) {
        return types.contains("string") && acceptsString(text);
      }
      if (value instanceof Integer || value instanceof Long) {
        return types.contains("integer") && acceptsInteger(((Number) value).longValue());
      }
      if (value instanceof JsonObject) {
        return types.contains("object");
      }
      return false; // a boolean, an array, a fraction or a big number: the library decides
    }

    private boolean acceptsString(String text) {
      if (minLength != null || maxLength != null) {
        int length = text.codePointCount(0, text.length()); // as the library counts: a surrogate pair is one
        if ((minLength != null && length < minLength) || (maxLength != null && length > maxLength)) {
          return false;
        }
      }
      return pattern == null || pattern.matcher(text).find();
    }

    private boolean acceptsInteger(long number) {
      return number >= -EXACT && number <= EXACT && (minimum == null || number >= minimum)
          && (maximum == null || number <= maximum);
    }

    private static Long exactInteger(Object value) {
      if (!(value instanceof Integer || value instanceof Long)) {
        return null;
      }
      long bound = ((Number) value).longValue();
      return Math.abs(bound) < EXACT ? bound : null;
    }
  }
}
