package io.catalogsuite.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A service's OpenAPI 3.1 document, the contract of its HTTP API, served at {@value #PATH}.
 *
 * <p>Each service writes its own by hand, as a YAML resource beside its code ({@link #resource}). What every node
 * has in common is written once, in common's {@value #NODE}: the endpoints {@code ServiceNode} serves
 * ({@code /health}, {@code /ready}, {@code /info}, {@code /metrics}, {@code /openapi.json}), the problem schema and
 * the problem responses. {@link #ofService} merges the two, leaving out the node's components the service does not
 * use; the service's own paths and components win over the node's of the same name (the gateway's
 * {@code /openapi.json} is public, an instance's is not). Each service's contract test compares the document with
 * its router, both ways, and validates real responses against it; CI lints the served documents with an
 * independent tool.
 *
 * <p>Immutable: the document is read and encoded once.
 */
public final class OpenApiDocument {
  public static final String PATH = "/openapi.json";
  /** The document of what every node serves ({@code /health}, {@code /ready}, ...), on the classpath. */
  public static final String NODE = "openapi/node.yaml";
  /** The kinds of component the documents define; the node's are added to a service's, name by name. */
  private static final String COMPONENT_REF = "#/components/";
  private static final Set<String> COMPONENTS = Set.of("schemas", "responses", "parameters", "headers",
      "requestBodies", "securitySchemes", "examples");

  private final JsonObject document;
  private final Buffer encoded;

  private OpenApiDocument(JsonObject document) {
    this.document = document;
    this.encoded = document.toBuffer();
  }

  /** The document of {@code service}, from its {@link #resource}, with the node's merged in. */
  public static OpenApiDocument ofService(String service) {
    return new OpenApiDocument(serviceDocument(service).orElseThrow(() ->
        new IllegalStateException("no OpenAPI document " + resource(service) + " on the classpath")));
  }

  /** The document of {@code service} with the node's merged in; empty when the classpath has none for it. */
  public static Optional<JsonObject> serviceDocument(String service) {
    String resource = resource(service);
    return OpenApiDocument.class.getClassLoader().getResource(resource) == null ? Optional.empty()
        : Optional.of(withNode(read(resource)));
  }

  /** Where a service's own document is on the classpath: {@code openapi/<service>.yaml}. */
  public static String resource(String service) {
    return "openapi/" + service + ".yaml";
  }

  /** A document assembled elsewhere (the gateway's, from the services' documents), served as it is. */
  public static OpenApiDocument assembled(JsonObject document) {
    return new OpenApiDocument(document.copy());
  }

  /** {@code document} with the node's paths, components and tags added where it has none of the same name. */
  private static JsonObject withNode(JsonObject document) {
    JsonObject merged = document.copy();
    JsonObject own = document.getJsonObject("components", new JsonObject()).copy();
    JsonObject node = read(NODE);
    JsonObject paths = merged.getJsonObject("paths", new JsonObject());
    node.getJsonObject("paths").forEach(path -> {
      if (!paths.containsKey(path.getKey())) {
        paths.put(path.getKey(), path.getValue());
      }
    });
    merged.put("paths", paths);
    JsonObject components = merged.getJsonObject("components", new JsonObject());
    node.getJsonObject("components").forEach(kind -> {
      if (!COMPONENTS.contains(kind.getKey())) {
        throw new IllegalStateException(NODE + ": unexpected components." + kind.getKey());
      }
      JsonObject ofKind = components.getJsonObject(kind.getKey(), new JsonObject());
      ((JsonObject) kind.getValue()).forEach(named -> {
        if (!ofKind.containsKey(named.getKey())) {
          ofKind.put(named.getKey(), named.getValue());
        }
      });
      components.put(kind.getKey(), ofKind);
    });
    merged.put("components", components);
    dropUnused(node.getJsonObject("components"), own, merged);
    JsonArray tags = merged.getJsonArray("tags", new JsonArray());
    Set<Object> names = new HashSet<>();
    tags.forEach(tag -> names.add(((JsonObject) tag).getString("name")));
    node.getJsonArray("tags").forEach(tag -> {
      if (names.add(((JsonObject) tag).getString("name"))) {
        tags.add(tag);
      }
    });
    merged.put("tags", tags);
    return merged;
  }

  /**
   * Removes from {@code merged} the node's components it does not use (cache-service answers no 503, so it needs no
   * {@code Retry-After}): what its paths and its own components refer to, and what that refers to in turn, stays.
   */
  private static void dropUnused(JsonObject nodeComponents, JsonObject own, JsonObject merged) {
    Set<String> used = new HashSet<>();
    Deque<Object> pending = new ArrayDeque<>(List.of(merged.getJsonObject("paths"), own));
    JsonObject components = merged.getJsonObject("components");
    while (!pending.isEmpty()) {
      Object node = pending.pop();
      if (node instanceof JsonObject object) {
        if (object.getValue("$ref") instanceof String ref && ref.startsWith(COMPONENT_REF) && used.add(ref)) {
          String[] kindAndName = ref.substring(COMPONENT_REF.length()).split("/", 2);
          Object target = components.getJsonObject(kindAndName[0], new JsonObject()).getValue(kindAndName[1]);
          if (target != null) {
            pending.push(target);
          }
        }
        object.forEach(field -> pending.push(field.getValue()));
      } else if (node instanceof JsonArray array) {
        array.forEach(pending::push);
      }
    }
    // A security requirement names its scheme, not a $ref.
    merged.getJsonArray("security", new JsonArray()).forEach(requirement -> ((JsonObject) requirement).fieldNames()
        .forEach(scheme -> used.add(COMPONENT_REF + "securitySchemes/" + scheme)));
    nodeComponents.forEach(kind -> ((JsonObject) kind.getValue()).fieldNames().forEach(name -> {
      JsonObject ours = components.getJsonObject(kind.getKey());
      if (!used.contains(COMPONENT_REF + kind.getKey() + "/" + name) && ours.getValue(name) != null
          && ours.getValue(name).equals(((JsonObject) kind.getValue()).getValue(name))) {
        ours.remove(name);
      }
    }));
  }

  /**
   * A YAML (or JSON) classpath resource as a JSON object, keys as strings. A value of YAML's own that JSON lacks
   * (an unquoted date, which YAML reads as a timestamp) fails to encode: quote it.
   */
  public static JsonObject read(String resource) {
    try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource + " on the classpath");
      }
      Object yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      // Through JSON text: nested maps and lists become JsonObject and JsonArray, integer keys ('200') strings.
      return new JsonObject(Json.encode(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the document. */
  public JsonObject json() {
    return document.copy();
  }

  /** {@code GET /openapi.json}: the document. */
  public void serve(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").end(encoded);
  }
}
