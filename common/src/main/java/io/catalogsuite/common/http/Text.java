package io.catalogsuite.common.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;

/**
 * The text the services accept, wherever it enters (a JSON body, an import line, a query parameter, a cursor):
 * no NUL character (Postgres refuses it in text and jsonb: a 500 if it got that far) and no unpaired surrogate
 * (not Unicode at all: encoded to UTF-8 it silently becomes {@code ?}). And JSON nested at most
 * {@value #MAX_JSON_DEPTH} levels deep: Jackson reads 1,000, and a document that deep fails later, when it is
 * encoded again for a response.
 */
public final class Text {
  /** The deepest nesting of objects and arrays a JSON value may have; the value itself is level 1. */
  public static final int MAX_JSON_DEPTH = 32;
  private static final String BAD_TEXT = "must not contain the NUL character (U+0000) or unpaired surrogates";

  private Text() {
  }

  /** Whether {@code text} has no NUL character and no unpaired surrogate. */
  public static boolean storable(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++; // the pair is whole
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The query parameter {@code name} (null when absent).
   *
   * @throws ProblemException 400 when its text is not {@link #storable}
   */
  public static String param(RoutingContext ctx, String name) {
    String value = ctx.request().getParam(name);
    if (value != null && !storable(value)) {
      throw ProblemException.badRequest(name + " " + BAD_TEXT);
    }
    return value;
  }

  /**
   * The first fault of a decoded JSON value: a key or string that is not {@link #storable}, or nesting deeper
   * than {@value #MAX_JSON_DEPTH}; empty when it has none. The field is a JSON pointer to it.
   */
  public static Optional<FieldError> jsonFault(Object value) {
    return fault(value, 1).map(fault -> fault.field().isEmpty() ? new FieldError("/", fault.message()) : fault);
  }

  /**
   * The first fault of {@code value}, its field a pointer relative to {@code value} ("" for the value itself).
   * The pointer is built on the way back from a fault only: a value without one costs no string.
   */
  private static Optional<FieldError> fault(Object value, int depth) {
    if (value instanceof String text) {
      return storable(text) ? Optional.empty() : Optional.of(new FieldError("", BAD_TEXT));
    }
    if (!(value instanceof JsonObject) && !(value instanceof JsonArray)) {
      return Optional.empty();
    }
    if (depth > MAX_JSON_DEPTH) {
      return Optional.of(new FieldError("", "nests deeper than " + MAX_JSON_DEPTH + " levels"));
    }
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (!storable(entry.getKey())) {
          return Optional.of(new FieldError("", "keys " + BAD_TEXT));
        }
        Optional<FieldError> fault = fault(entry.getValue(), depth + 1);
        if (fault.isPresent()) {
          return Optional.of(under(escape(entry.getKey()), fault.get()));
        }
      }
    } else {
      JsonArray array = (JsonArray) value;
      for (int i = 0; i < array.size(); i++) {
        Optional<FieldError> fault = fault(array.getValue(i), depth + 1);
        if (fault.isPresent()) {
          return Optional.of(under(Integer.toString(i), fault.get()));
        }
      }
    }
    return Optional.empty();
  }

  /** The fault of a child, as seen from its parent. */
  private static FieldError under(String token, FieldError fault) {
    return new FieldError("/" + token + fault.field(), fault.message());
  }

  /** A key as a JSON pointer token (RFC 6901): {@code ~} as {@code ~0}, {@code /} as {@code ~1}. */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
