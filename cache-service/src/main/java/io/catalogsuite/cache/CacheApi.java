package io.catalogsuite.cache;

import com.hazelcast.map.IMap;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.QueryParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The handlers behind cache-service's routes. Values are stored as their JSON text. */
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
    List<Future<JsonObject>> described = maps.names().stream()
        .map(name -> stats.of(name).map(s -> new JsonObject()
            .put("name", name)
            .put("config", maps.describe(name))
            .put("stats", s)))
        .toList();
    Future.all(described).onSuccess(all -> json(ctx, 200, new JsonObject().put("maps", new JsonArray(all.list()))))
        .onFailure(ctx::fail);
  }

  void mapStats(RoutingContext ctx) {
    String name = ctx.pathParam("map");
    maps.map(name); // 404 for an unknown map
    stats.of(name).onSuccess(s -> json(ctx, 200, s.put("map", name))).onFailure(ctx::fail);
  }

  void getEntry(RoutingContext ctx) {
    String key = key(ctx);
    IMap<String, String> map = maps.map(ctx.pathParam("map"));
    onContext(map.getAsync(key))
        .onSuccess(value -> {
          maps.lookups(map.getName()).lookup(value != null);
          if (value == null) {
            ctx.fail(ProblemException.notFound("no entry '" + key + "' in map '" + ctx.pathParam("map") + "'"));
          } else {
            ctx.response().putHeader("Content-Type", "application/json").end(value);
          }
        })
        .onFailure(ctx::fail);
  }

  void putEntry(RoutingContext ctx) {
    IMap<String, String> map = maps.map(ctx.pathParam("map"));
    String key = key(ctx);
    OptionalInt ttlSeconds = QueryParams.integer(ctx, "ttlSeconds", 1, MAX_TTL_SECONDS);
    Object value = JsonBodies.value(ctx);
    String encoded = Json.encode(value);
    CompletionStage<String> previous = ttlSeconds.isEmpty()
        ? map.putAsync(key, encoded)
        : map.putAsync(key, encoded, ttlSeconds.getAsInt(), TimeUnit.SECONDS);
    onContext(previous)
        .onSuccess(old -> json(ctx, old == null ? 201 : 200, new JsonObject()
            .put("map", map.getName())
            .put("key", key)
            .put("value", value)
            .put("ttlSeconds", ttlSeconds.isEmpty() ? null : ttlSeconds.getAsInt())))
        .onFailure(ctx::fail);
  }

  void deleteEntry(RoutingContext ctx) {
    String key = key(ctx);
    onContext(maps.map(ctx.pathParam("map")).removeAsync(key))
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
