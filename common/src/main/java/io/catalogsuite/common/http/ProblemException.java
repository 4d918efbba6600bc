package io.catalogsuite.common.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The one failure type a handler raises for a request it cannot serve. It carries everything the response needs
 * (status, type, title, detail, field errors) and is turned into an RFC 9457 {@code application/problem+json}
 * response once, at the edge, by {@link Problems}.
 */
public final class ProblemException extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final List<FieldError> errors;
  private final long retryAfterSeconds;

  public ProblemException(int status, String type, String title, String detail, List<FieldError> errors) {
    this(status, type, title, detail, errors, -1);
  }

  private ProblemException(int status, String type, String title, String detail, List<FieldError> errors,
      long retryAfterSeconds) {
    super(detail, null, false, false); // no stack trace: this is an expected outcome, not a bug
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The same problem, telling the client when to try again ({@code Retry-After}, in seconds). */
  public ProblemException withRetryAfter(long seconds) {
    return new ProblemException(status, type, title, getMessage(), errors, seconds);
  }

  /** Seconds for {@code Retry-After}, or -1 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "bad-request", "Bad request", detail, List.of());
  }

  public static ProblemException invalid(List<FieldError> errors) {
    return new ProblemException(400, "validation", "Invalid request body",
        errors.size() == 1 ? "1 field is invalid" : errors.size() + " fields are invalid", errors);
  }

  /** 401: no valid credential. The caller adds the {@code WWW-Authenticate} challenge to the response. */
  public static ProblemException unauthorized(String detail) {
    return new ProblemException(401, "unauthorized", "Unauthorized", detail, List.of());
  }

  /** 403: a valid credential that lacks the permission the request needs. */
  public static ProblemException forbidden(String detail) {
    return new ProblemException(403, "forbidden", "Forbidden", detail, List.of());
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "not-found", "Not found", detail, List.of());
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "conflict", "Conflict", detail, List.of());
  }

  public static ProblemException preconditionFailed(String detail) {
    return new ProblemException(412, "precondition-failed", "Precondition failed", detail, List.of());
  }

  public static ProblemException unsupportedMediaType(String detail) {
    return new ProblemException(415, "unsupported-media-type", "Unsupported media type", detail, List.of());
  }

  /** 429: over a rate limit. The caller adds {@code Retry-After} to the response. */
  public static ProblemException tooManyRequests(String detail) {
    return new ProblemException(429, "too-many-requests", "Too many requests", detail, List.of());
  }

  public static ProblemException badGateway(String detail) {
    return new ProblemException(502, "bad-gateway", "Bad gateway", detail, List.of());
  }

  public static ProblemException serviceUnavailable(String detail) {
    return new ProblemException(503, "service-unavailable", "Service unavailable", detail, List.of());
  }

  public static ProblemException gatewayTimeout(String detail) {
    return new ProblemException(504, "gateway-timeout", "Gateway timeout", detail, List.of());
  }

  public int status() {
    return status;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** The problem document; {@code type} is a URI reference relative to the suite's problem namespace. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("type", "/problems/" + type)
        .put("title", title)
        .put("status", status)
        .put("detail", getMessage());
    if (!errors.isEmpty()) {
      json.put("errors", new JsonArray(errors.stream().map(FieldError::toJson).toList()));
    }
    return json;
  }
}
