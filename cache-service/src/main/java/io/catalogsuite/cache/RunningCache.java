package io.catalogsuite.cache;

import io.catalogsuite.common.Service;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/**
 * cache-service once started: the cache maps defined in the cluster, served over HTTP by {@code api}, and its API's
 * {@code document}.
 */
record RunningCache(CacheApi api, OpenApiDocument document) implements Service.Running {
  static final long MAX_VALUE_BYTES = 1024 * 1024;
  static final long MAX_DEFINITION_BYTES = 4096;

  @Override
  public void routes(Router router, Vertx vertx) {
    router.get("/maps").handler(api::listMaps);
    router.get("/maps/:map").handler(api::getMap);
    router.put("/maps/:map").handler(JsonBodies.limitedTo(MAX_DEFINITION_BYTES)).handler(api::defineMap);
    router.get("/maps/:map/stats").handler(api::mapStats);
    router.get("/maps/:map/entries/:key").handler(api::getEntry);
    router.put("/maps/:map/entries/:key").handler(JsonBodies.limitedTo(MAX_VALUE_BYTES)).handler(api::putEntry);
    router.delete("/maps/:map/entries/:key").handler(api::deleteEntry);
    router.get(OpenApiDocument.PATH).handler(document::serve);
  }

  /** Always up: the service runs only once its maps are defined, and /ready says so under "maps". */
  @Override
  public Map<String, Supplier<Future<?>>> readiness() {
    return Map.of("maps", Future::succeededFuture);
  }
}
