package io.catalogsuite.catalog;

import io.catalogsuite.catalog.cache.ProductCache;
import io.catalogsuite.catalog.events.EventStreams;
import io.catalogsuite.catalog.imports.ImportHandlers;
import io.catalogsuite.catalog.product.ProductHandlers;
import io.catalogsuite.common.Service;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.OpenApiDocument;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.Map;
import java.util.function.Supplier;

/**
 * catalog-service once started: the database's {@code client} (pipelining) and {@code transactions} pool, the
 * product {@code cache}, the handlers of {@code products}, of change {@code events} and of {@code imports}, the
 * deployment of the outbox {@code relay}, and its API's {@code document}.
 */
record RunningCatalog(Vertx vertx, SqlClient client, Pool transactions, ProductCache cache, ProductHandlers products,
    EventStreams events, String relay, ImportHandlers imports, OpenApiDocument document) implements Service.Running {
  static final long MAX_BODY_BYTES = 1024 * 1024;

  @Override
  public void routes(Router router, Vertx vertx) {
    var body = JsonBodies.limitedTo(MAX_BODY_BYTES);
    router.post("/products").handler(body).handler(products::create);
    router.get("/products").handler(products::list);
    router.get("/products/:id").handler(products::get);
    router.put("/products/:id").handler(body).handler(products::replace);
    router.delete("/products/:id").handler(products::delete);
    router.post("/products/:id/reservations").handler(body).handler(products::reserve);
    router.get("/events").handler(events::handle);
    router.post("/imports").handler(imports::create); // no body handler: the body is streamed, never held whole
    router.get("/imports/:id").handler(imports::get);
    router.get(OpenApiDocument.PATH).handler(document::serve);
  }

  @Override
  public Map<String, Supplier<Future<?>>> readiness() {
    return Map.of("postgres", () -> client.query("SELECT 1").execute());
  }

  /** Its caches' lookups since it started: the gateway's dashboard shows their hit ratios. */
  @Override
  public JsonObject healthReport() {
    return new JsonObject().put("caches", cache.lookups());
  }

  /** Without a cache-service member reads go to Postgres: slower, but served. */
  @Override
  public Map<String, Supplier<Future<?>>> optionalReadiness() {
    return Map.of("cache", () -> cache.sharedAvailable() ? Future.succeededFuture()
        : Future.failedFuture("no cache-service member in the cluster; reads go to Postgres"));
  }

  @Override
  public Future<Void> stop() {
    // The relay first: it frees its lock at once, so another instance relays without waiting.
    return vertx.undeploy(relay)
        .eventually(imports::stop)
        .eventually(events::stop)
        .eventually(() -> Future.join(client.close(), transactions.close()).mapEmpty());
  }
}
