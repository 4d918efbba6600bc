package io.catalogsuite.testing;

import static io.catalogsuite.testing.TestHttp.await;

import io.catalogsuite.common.http.MediaTypes;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates real responses against a service's OpenAPI document, as it serves it: the status must be one the
 * operation declares, the content type one declared for that status (none for a response without content), and
 * the headers and body must conform to the declared schemas, problems included. The schemas are checked by
 * vertx-openapi's {@link ResponseValidator}, which also validates the document itself when it loads.
 *
 * <p>vertx-openapi reads a few media types only, and refuses a document with others. It is therefore given a copy
 * in which each {@code +json} type (the problems' {@code application/problem+json}) reads as
 * {@code application/json}, with the same schemas, and the text ones ({@code text/html}, {@code text/plain},
 * {@code text/event-stream}) are left out, their bodies being text; the real content type is checked against the
 * real document here. It remembers which operations it has checked, so that a contract test can tell
 * that it exercised each of them.
 */
public final class ContractResponses implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final JsonObject document;
  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  private ContractResponses(JsonObject document) {
    this.document = document.copy();
    this.contract = await(OpenAPIContract.from(vertx, readable(document)));
    this.validator = ResponseValidator.create(vertx, contract);
  }

  /** A validator of responses against {@code document} (as {@code GET /openapi.json} serves it). */
  public static ContractResponses of(JsonObject document) {
    return new ContractResponses(document);
  }

  /** Fails unless {@code response}, to {@code method} {@code path}, conforms to the document; returns it. */
  public HttpResponse<Buffer> check(HttpMethod method, String path, HttpResponse<Buffer> response) {
    check(method, path, response.statusCode(), response.headers(), response.body());
    return response;
  }

  /**
   * Fails unless a response with this status, these headers and this body ({@code null} for none, or for a stream
   * whose head alone is checked) conforms to the operation {@code method} {@code path} (a query is ignored).
   */
  public void check(HttpMethod method, String path, int status, MultiMap headers, Buffer body) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    Operation operation = contract.findOperation(bare, method);
    if (operation == null) {
      throw new AssertionError(method + " " + bare + " is no operation of the document");
    }
    String what = operation.getOperationId() + " (" + method + " " + bare + ") answered " + status;
    JsonObject declared = document.getJsonObject("paths").getJsonObject(operation.getOpenAPIPath())
        .getJsonObject(method.name().toLowerCase(Locale.ROOT)).getJsonObject("responses")
        .getJsonObject(Integer.toString(status));
    declared = resolved(declared);
    if (declared == null) {
      throw new AssertionError(what + ", a status the document does not declare for it: " + text(body));
    }
    String contentType = headers.get("Content-Type");
    JsonObject content = declared.getJsonObject("content", new JsonObject());
    if (content.isEmpty()) {
      if (body != null && body.length() > 0) {
        throw new AssertionError(what + " with a body, where the document declares none: " + text(body));
      }
    } else if (!content.containsKey(MediaTypes.of(contentType))) {
      throw new AssertionError(what + " as " + contentType + ", where the document declares "
          + content.fieldNames() + ": " + text(body));
    }
    Map<String, String> single = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(header -> single.putIfAbsent(header.getKey(), header.getValue()));
    // A text body (Prometheus', an event stream's head) is a string: its content type, checked above, is the rest.
    ValidatableResponse validatable = content.isEmpty() || !json(MediaTypes.of(contentType))
        ? ValidatableResponse.create(status, single)
        : ValidatableResponse.create(status, single, body, MediaType.APPLICATION_JSON);
    try {
      await(validator.validate(validatable, operation.getOperationId()));
    } catch (SchemaValidationException e) {
      throw new AssertionError(what + ", not as the document says: " + e.getMessage() + " at "
          + e.getOutputUnit().getErrors() + ": " + text(body), e);
    } catch (RuntimeException e) {
      throw new AssertionError(what + ", not as the document says: " + e.getMessage() + ": " + text(body), e);
    }
    checked.add(operation.getOperationId());
  }

  /** The operations of the document no response was checked against yet. */
  public Set<String> unchecked() {
    Set<String> unchecked = new TreeSet<>();
    contract.operations().forEach(operation -> unchecked.add(operation.getOperationId()));
    unchecked.removeAll(checked);
    return unchecked;
  }

  private static String text(Buffer body) {
    if (body == null) {
      return "(no body)";
    }
    String text = body.toString();
    return text.length() > 500 ? text.substring(0, 500) + "…" : text;
  }

  /**
   * The document as vertx-openapi reads it: every JSON media type as {@code application/json}; a request body's
   * other media types as {@code text/plain}; a response's other media types left out, so that only the status and
   * headers of such a response are validated (its body is text). Without servers: vertx-openapi takes only absolute
   * URLs, the documents say "/" (wherever they are served).
   */
  private static JsonObject readable(JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove("servers");
    copy.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(operation -> {
      if (operation.getValue() instanceof JsonObject fields) {
        readableContent(fields.getJsonObject("requestBody"), true);
        JsonObject responses = fields.getJsonObject("responses", new JsonObject());
        responses.forEach(response -> readableContent((JsonObject) response.getValue(), false));
      }
    }));
    JsonObject components = copy.getJsonObject("components", new JsonObject());
    components.getJsonObject("requestBodies", new JsonObject())
        .forEach(named -> readableContent((JsonObject) named.getValue(), true));
    components.getJsonObject("responses", new JsonObject())
        .forEach(named -> readableContent((JsonObject) named.getValue(), false));
    return copy;
  }

  private static void readableContent(JsonObject holder, boolean request) {
    if (holder != null && holder.getValue("content") instanceof JsonObject content) {
      JsonObject readable = new JsonObject();
      content.forEach(type -> {
        if (json(type.getKey())) {
          readable.put(MediaType.APPLICATION_JSON, type.getValue());
        } else if (request) {
          readable.put(MediaType.TEXT_PLAIN, type.getValue());
        }
      });
      if (readable.isEmpty()) {
        holder.remove("content");
      } else {
        holder.put("content", readable);
      }
    }
  }

  private static boolean json(String mediaType) {
    return mediaType != null && (mediaType.equals(MediaType.APPLICATION_JSON) || mediaType.endsWith("+json"));
  }

  /** {@code object}, or what its {@code $ref} (a pointer into the document) points to. */
  private JsonObject resolved(JsonObject object) {
    if (object == null || !(object.getValue("$ref") instanceof String ref) || !ref.startsWith("#/")) {
      return object;
    }
    Object target = document;
    for (String token : ref.substring(2).split("/")) {
      target = ((JsonObject) target).getValue(token.replace("~1", "/").replace("~0", "~"));
    }
    return resolved((JsonObject) target);
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
