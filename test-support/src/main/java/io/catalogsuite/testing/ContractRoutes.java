package io.catalogsuite.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The drift check between a service's router and its OpenAPI document: every route is an operation of the document
 * and every operation a route, compared as {@code METHOD /path} with Vert.x's {@code :param} written
 * {@code {param}}.
 *
 * <p>A route without a path and without a regex (a failure handler, the request observer, the gateway's signature
 * check) applies to every request and is no endpoint. Any other route the document leaves out must be named in
 * {@code undocumented}, with the reason: a route for every method is written {@code * /path}, one below a prefix
 * {@code /prefix/*}, a regex route by its name. An exemption that matches no route fails too, so none outlives its
 * route.
 */
public final class ContractRoutes {
  private static final Pattern PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");

  private ContractRoutes() {
  }

  /** Fails unless {@code router}'s routes and {@code document}'s operations are the same, {@code undocumented} aside. */
  public static void assertMatch(Router router, JsonObject document, Map<String, String> undocumented) {
    Set<String> routes = routes(router);
    Set<String> operations = operations(document);
    Set<String> missing = new TreeSet<>(routes);
    missing.removeAll(operations);
    missing.removeAll(undocumented.keySet());
    Set<String> unrouted = new TreeSet<>(operations);
    unrouted.removeAll(routes);
    Set<String> stale = new TreeSet<>(undocumented.keySet());
    stale.removeAll(routes);
    assertThat(missing).as("routes the OpenAPI document does not describe").isEmpty();
    assertThat(unrouted).as("operations of the OpenAPI document that no route serves").isEmpty();
    assertThat(stale).as("routes listed as undocumented that the router does not have").isEmpty();
  }

  /** The paths every node serves, in the order of common's document of them ({@link OpenApiDocument#NODE}). */
  public static List<String> nodePaths() {
    return List.copyOf(OpenApiDocument.read(OpenApiDocument.NODE).getJsonObject("paths").fieldNames());
  }

  /** The router's routes, as {@code METHOD /path}. */
  public static Set<String> routes(Router router) {
    Set<String> routes = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      // A path with parameters is a regex route to Vert.x, named by its path: /products/:id.
      String raw = route.getPath() != null ? route.getPath() : route.isRegexPath() ? route.getName() : null;
      if (raw == null) {
        continue; // every request's handler, no endpoint
      }
      String path = PARAM.matcher(raw).replaceAll("{$1}") + (route.isRegexPath() || route.isExactPath() ? "" : "*");
      if (route.methods() == null || route.methods().isEmpty()) {
        routes.add("* " + path);
      } else {
        for (HttpMethod method : route.methods()) {
          routes.add(method.name() + " " + path);
        }
      }
    }
    return routes;
  }

  /** The document's operations, as {@code METHOD /path}. */
  public static Set<String> operations(JsonObject document) {
    Set<String> operations = new TreeSet<>();
    document.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).fieldNames().stream()
        .filter(METHODS::contains)
        .forEach(method -> operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
    return operations;
  }
}
