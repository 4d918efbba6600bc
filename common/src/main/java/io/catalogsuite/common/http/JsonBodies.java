package io.catalogsuite.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/** Reads a request body that must be one JSON object, failing with the right problem otherwise. */
public final class JsonBodies {
  private JsonBodies() {
  }

  /**
   * The body as a JSON object.
   *
   * @throws ProblemException 415 unless the content type is JSON, 400 when the body is empty, malformed or not
   *                          an object
   */
  public static JsonObject object(RoutingContext ctx) {
    if (value(ctx) instanceof JsonObject object) {
      return object;
    }
    throw ProblemException.badRequest("the request body must be a JSON object");
  }

  /**
   * The body as any JSON value other than {@code null}: a {@link JsonObject}, a
   * {@link io.vertx.core.json.JsonArray}, a string, a number or a boolean.
   *
   * @throws ProblemException 415 unless the content type is JSON, 400 when the body is empty, malformed, null, or
   *                          breaks a rule of {@link Text} (NUL, unpaired surrogates, nesting too deep)
   */
  public static Object value(RoutingContext ctx) {
    requireJson(ctx);
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw ProblemException.badRequest("the request body is empty; JSON is expected");
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ProblemException.badRequest("malformed JSON");
    }
    if (value == null) {
      throw ProblemException.badRequest("the request body must not be JSON null");
    }
    Text.jsonFault(value).ifPresent(fault -> {
      throw ProblemException.invalid(List.of(fault));
    });
    return value;
  }

  /** A body handler that keeps bodies in memory up to {@code limitBytes} and answers 413 beyond. */
  public static BodyHandler limitedTo(long limitBytes) {
    return BodyHandler.create(false).setBodyLimit(limitBytes);
  }

  /** Fails with 415 unless the request says its body is JSON ({@code application/json} or {@code +json}). */
  public static void requireJson(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (!isJson(contentType)) {
      throw ProblemException.unsupportedMediaType(
          "Content-Type must be application/json, got " + (contentType == null ? "none" : "'" + contentType + "'"));
    }
  }

  static boolean isJson(String contentType) {
    String mediaType = MediaTypes.of(contentType);
    return mediaType != null && (mediaType.equals("application/json")
        || (mediaType.startsWith("application/") && mediaType.endsWith("+json")));
  }
}
