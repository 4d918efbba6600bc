package io.catalogsuite.common.http;

import io.vertx.ext.web.RoutingContext;
import java.util.OptionalInt;

/** Reads query parameters, failing with a 400 problem that names the parameter and its allowed range. */
public final class QueryParams {
  private QueryParams() {
  }

  /**
   * The integer parameter {@code name}, empty when absent.
   *
   * @throws ProblemException 400 when it is present but not an integer from {@code min} to {@code max}
   */
  public static OptionalInt integer(RoutingContext ctx, String name, int min, int max) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return OptionalInt.empty();
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return OptionalInt.of(value);
      }
    } catch (NumberFormatException ignored) {
      // reported below, with the range
    }
    throw ProblemException.badRequest(
        name + " must be an integer from " + min + " to " + max + ", got '" + raw + "'");
  }
}
