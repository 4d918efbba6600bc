package io.catalogsuite.gateway.docs;

import io.catalogsuite.common.http.OpenApiDocument;
import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.protect.AccessPolicy;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OpenAPI document, served at {@value OpenApiDocument#PATH} and shown at {@value DocsPage#PATH}: the
 * suite as a client sees it through the gateway. Assembled at start from the documents the build copies into the
 * gateway's jar (the services' own, as their instances serve them: the contract is shared, not the code) and the
 * configuration in force:
 *
 * <ul>
 *   <li>the gateway's own ({@code openapi/gateway.yaml}, with what every node serves);
 *   <li>for each route, the document of the service it reaches, every path under the route's prefix, its
 *       operation ids and tags prefixed with the service's name (the node's operations are in each), and the
 *       gateway's own outcomes added where the service does not say them: 502, 503, 504;
 *   <li>on every operation behind the gateway's authentication (a service's, and the gateway's own but for those
 *       that state their security, the pages), the requirement of {@code GATEWAY_AUTH_RULES} for its method and
 *       path, as the API key or a bearer JWT with the roles it accepts, and the refusals that come with it: 401, 403
 *       (unless public) and 429.
 * </ul>
 *
 * A service's components join the gateway's; one of the same name must be the same (the node's are in each). The
 * instances' gateway signature is not a client's concern, and is left out.
 */
public final class GatewayDocument {
  private static final Logger log = LoggerFactory.getLogger(GatewayDocument.class);
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final String SIGNATURE = "gatewaySignature";
  /** What the gateway answers for any upstream, by status: the name of the response in its document. */
  private static final Map<String, String> UPSTREAM_OUTCOMES = Map.of("502", "BadGateway", "503",
      "GatewayUnavailable", "504", "GatewayTimeout");

  private GatewayDocument() {
  }

  /** The document for these routes, each operation's security as {@code policy} says. */
  public static OpenApiDocument assemble(List<GatewayConfig.Route> routes, AccessPolicy policy) {
    JsonObject document = OpenApiDocument.serviceDocument("gateway").orElseThrow(() ->
        new IllegalStateException("no " + OpenApiDocument.resource("gateway") + " on the classpath"));
    JsonObject paths = document.getJsonObject("paths");
    paths.forEach(path -> operations((JsonObject) path.getValue(), (method, operation) -> {
      if (!operation.containsKey("security")) {
        guard(operation, policy, method, path.getKey());
      }
    }));
    for (GatewayConfig.Route route : routes) {
      Optional<JsonObject> service = OpenApiDocument.serviceDocument(route.service());
      if (service.isEmpty()) {
        log.warn("No OpenAPI document for {} (route {}): /openapi.json does not describe its paths",
            route.service(), route.prefix());
        continue;
      }
      include(document, route, service.get(), policy);
    }
    document.getJsonObject("components").getJsonObject("securitySchemes").remove(SIGNATURE);
    return OpenApiDocument.assembled(document);
  }

  private static void include(JsonObject document, GatewayConfig.Route route, JsonObject service,
      AccessPolicy policy) {
    String name = route.service();
    JsonArray tags = document.getJsonArray("tags");
    service.getJsonArray("tags").forEach(tag -> {
      JsonObject own = ((JsonObject) tag).copy();
      tags.add(own.put("name", name + ": " + own.getString("name")));
    });
    JsonObject paths = document.getJsonObject("paths");
    service.getJsonObject("paths").forEach(entry -> {
      String path = route.prefix() + entry.getKey();
      JsonObject item = ((JsonObject) entry.getValue()).copy();
      operations(item, (method, operation) -> {
        operation.put("operationId", name + "." + operation.getString("operationId"));
        operation.put("tags", new JsonArray(operation.getJsonArray("tags").stream()
            .map(tag -> name + ": " + tag).toList()));
        operation.remove("security");
        JsonObject responses = operation.getJsonObject("responses");
        UPSTREAM_OUTCOMES.forEach((status, response) -> putIfAbsent(responses, status, response));
        guard(operation, policy, method, path);
      });
      if (paths.containsKey(path)) {
        throw new IllegalStateException("the path " + path + " of " + name + " is the gateway's own");
      }
      paths.put(path, item);
    });
    JsonObject components = document.getJsonObject("components");
    service.getJsonObject("components").forEach(kind -> {
      JsonObject ours = components.getJsonObject(kind.getKey(), new JsonObject());
      ((JsonObject) kind.getValue()).forEach(component -> {
        Object existing = ours.getValue(component.getKey());
        if (existing == null) {
          ours.put(component.getKey(), component.getValue());
        } else if (!existing.equals(component.getValue())) {
          throw new IllegalStateException("components." + kind.getKey() + "." + component.getKey() + " of " + name
              + " differs from the gateway's or another service's of that name");
        }
      });
      components.put(kind.getKey(), ours);
    });
  }

  /** Sets the operation's security to what {@code policy} requires of it, with the refusals that come with it. */
  private static void guard(JsonObject operation, AccessPolicy policy, String method, String path) {
    AccessPolicy.Requirement requirement = policy.requirementFor(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)),
        path);
    JsonObject responses = operation.getJsonObject("responses");
    if (requirement.isPublic()) {
      operation.put("security", new JsonArray());
    } else {
      JsonArray roles = new JsonArray(List.copyOf(requirement.roles()));
      operation.put("security", new JsonArray()
          .add(new JsonObject().put("apiKey", roles))
          .add(new JsonObject().put("bearerJwt", roles.copy())));
      putIfAbsent(responses, "403", "GatewayForbidden");
    }
    // A presented credential is checked on public operations too, and every route has its rate limit.
    putIfAbsent(responses, "401", "Unauthorized");
    putIfAbsent(responses, "429", "TooManyRequests");
  }

  private static void putIfAbsent(JsonObject responses, String status, String response) {
    if (!responses.containsKey(status)) {
      responses.put(status, new JsonObject().put("$ref", "#/components/responses/" + response));
    }
  }

  private interface OperationVisitor {
    void visit(String method, JsonObject operation);
  }

  private static void operations(JsonObject pathItem, OperationVisitor visitor) {
    pathItem.forEach(entry -> {
      if (METHODS.contains(entry.getKey())) {
        visitor.visit(entry.getKey(), (JsonObject) entry.getValue());
      }
    });
  }
}
