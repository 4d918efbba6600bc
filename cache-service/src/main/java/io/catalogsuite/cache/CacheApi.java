package io.catalogsuite.cache;

import com.hazelcast.map.IMap;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.cacheprotocol.CachedProduct;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.catalogsuite.common.http.ForwardedPrefix;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.QueryParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The handlers behind cache-service's routes. Values of the maps it owns are stored as their JSON text; the
 * {@code products} map (catalog-service's) is read-only, and shows each product's JSON.
 */
final class CacheApi {
  static final int MAX_KEY_LENGTH = 512;
  static final int MAX_TTL_SECONDS = 365 * 24 * 3600;

  private final Vertx vertx;
  private final CacheMaps maps;
  private final ClusterMapStats stats;

  CacheApi(Vertx vertx, CacheMaps maps, ClusterMapStats stats) {
    this.vertx = vertx;
    this.maps = maps;
    this.stats = stats;
  }

  void listMaps(RoutingContext ctx) {
    List<Future<JsonObject>> described = maps.all().stream()
        .map(map -> stats.of(map.name()).map(s -> describe(map, s)))
        .toList();
    Future.all(described).onSuccess(all -> json(ctx, 200, new JsonObject().put("maps", new JsonArray(all.list()))))
        .onFailure(ctx::fail);
  }

  void getMap(RoutingContext ctx) {
    maps.served(ctx.pathParam("map"))
        .compose(map -> stats.of(map.name()).map(s -> describe(map, s)))
        .onSuccess(description -> json(ctx, 200, description))
        .onFailure(ctx::fail);
  }

  /**
   * Defines a map for the whole cluster, kept across restarts: 201 with its description, 200 when it is already
   * defined so, 409 when it is defined otherwise or the name is taken.
   */
  void defineMap(RoutingContext ctx) {
    String name = ctx.pathParam("map");
    CacheConfig.MapSettings settings = MapDefinitions.settings(JsonBodies.object(ctx));
    maps.defineAtRuntime(name, settings)
        .compose(outcome -> maps.served(name).map(map -> {
          ctx.response().putHeader("Location", ForwardedPrefix.of(ctx) + "/maps/" + name);
          json(ctx, outcome == MapDefinitions.Outcome.CREATED ? 201 : 200,
              new JsonObject().put("name", name).put("config", map.describe()));
          return null;
        }))
        .onFailure(ctx::fail);
  }

  private static JsonObject describe(CacheMaps.Served map, JsonObject stats) {
    return new JsonObject().put("name", map.name()).put("config", map.describe()).put("stats", stats);
  }

  void mapStats(RoutingContext ctx) {
    maps.served(ctx.pathParam("map")) // 404 for an unknown map
        .compose(map -> stats.of(map.name()).map(s -> s.put("map", map.name())))
        .onSuccess(s -> json(ctx, 200, s))
        .onFailure(ctx::fail);
  }

  void getEntry(RoutingContext ctx) {
    String key = key(ctx);
    maps.served(ctx.pathParam("map")).onSuccess(served -> {
      if (served.name().equals(CacheProtocol.PRODUCTS_MAP)) {
        getProduct(ctx, key);
      } else {
        getJson(ctx, served, key);
      }
    }).onFailure(ctx::fail);
  }

  private void getJson(RoutingContext ctx, CacheMaps.Served served, String key) {
    onContext(maps.jsonMap(served).getAsync(key))
        .onSuccess(value -> {
          maps.lookups(served.name()).lookup(value != null);
          if (value == null) {
            ctx.fail(ProblemException.notFound("no entry '" + key + "' in map '" + served.name() + "'"));
          } else {
            ctx.response().putHeader("Content-Type", "application/json").end(value);
          }
        })
        .onFailure(ctx::fail);
  }

  /**
   * A product as the catalog cached it: its JSON with its version as {@code ETag}, or a 404 that says which marker
   * stands there (missing, deleted, invalidated, loading) or that the entry is not one the catalog would read.
   */
  private void getProduct(RoutingContext ctx, String key) {
    long id = productId(key);
    onContext(maps.productsMap().getAsync(id))
        .onSuccess(value -> {
          CachedProduct entry = CachedProduct.wellFormedOrNull(value);
          maps.lookups(CacheProtocol.PRODUCTS_MAP).lookup(entry != null && entry.answers());
          if (entry != null && entry.kind() == CachedProduct.Kind.PRODUCT) {
            ctx.response().putHeader("Content-Type", "application/json")
                .putHeader("ETag", "\"" + entry.version() + "\"").end(Buffer.buffer(entry.body()));
          } else {
            ctx.fail(ProblemException.notFound("no cached product " + id + (value == null ? ""
                : entry == null ? " (its entry is not well-formed; the catalog replaces it on its next read)"
                : " (the entry is a " + entry.kind().name().toLowerCase(Locale.ROOT) + " marker)")));
          }
        })
        .onFailure(ctx::fail);
  }

  private static long productId(String key) {
    try {
      long id = Long.parseLong(key);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ProblemException.badRequest("the products map is keyed by product id, a positive integer; got '" + key
        + "'");
  }

  void putEntry(RoutingContext ctx) {
    String key = key(ctx);
    OptionalInt ttlSeconds = QueryParams.integer(ctx, "ttlSeconds", 1, MAX_TTL_SECONDS);
    Object value = JsonBodies.value(ctx);
    String encoded = Json.encode(value);
    maps.writable(ctx.pathParam("map")).compose(served -> {
      IMap<String, String> map = maps.jsonMap(served);
      return onContext(ttlSeconds.isEmpty()
          ? map.putAsync(key, encoded)
          : map.putAsync(key, encoded, ttlSeconds.getAsInt(), TimeUnit.SECONDS));
    })
        .onSuccess(old -> json(ctx, old == null ? 201 : 200, new JsonObject()
            .put("map", ctx.pathParam("map"))
            .put("key", key)
            .put("value", value)
            .put("ttlSeconds", ttlSeconds.isEmpty() ? null : ttlSeconds.getAsInt())))
        .onFailure(ctx::fail);
  }

  void deleteEntry(RoutingContext ctx) {
    String key = key(ctx);
    maps.writable(ctx.pathParam("map")).compose(served -> onContext(maps.jsonMap(served).removeAsync(key)))
        .onSuccess(old -> {
          if (old == null) {
            ctx.fail(ProblemException.notFound("no entry '" + key + "' in map '" + ctx.pathParam("map") + "'"));
          } else {
            ctx.response().setStatusCode(204).end();
          }
        })
        .onFailure(ctx::fail);
  }

  private static String key(RoutingContext ctx) {
    String key = ctx.pathParam("key");
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ProblemException.badRequest("the key must be 1 to " + MAX_KEY_LENGTH + " characters");
    }
    return key;
  }

  /** Hazelcast completes on its own threads; continue on the caller's event loop. */
  private <T> Future<T> onContext(CompletionStage<T> stage) {
    return HazelcastFutures.on(vertx.getOrCreateContext(), stage);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
