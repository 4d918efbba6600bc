package io.catalogsuite.gateway;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.discovery.ServiceRecords;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.servicediscovery.Record;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of real services: one cache-service and two catalog-service members on a real Postgres,
 * all in one Hazelcast cluster, over real HTTP. Failure cases use small real HTTP servers (a closed port, a
 * server that never answers) published in discovery like any instance.
 */
class GatewayIT {
  private static final int TIMEOUT_MS = 1_000;
  /** Every request sends this admin key: these tests are about routing (ProtectionIT is about protection). */
  private static final String API_KEY = "gateway-it-" + UUID.randomUUID();
  private static final List<GatewayConfig.Route> ROUTES = GatewayConfig.routes(List.of(
      "/api/catalog=catalog-service", "/api/cache=cache-service", "/api/ghost=ghost-service",
      "/api/flaky=flaky-service", "/api/dead=dead-service", "/api/slow=slow-service", "/api/echo=echo-service"));

  private static String cluster;
  private static CatalogConfig catalogConfig;
  private static ServiceNode cache;
  private static ServiceNode catalogA;
  private static ServiceNode catalogB;
  private static ServiceNode gateway;
  private static TestHttp http;
  private static Vertx stubs;

  @BeforeAll
  static void start() {
    cluster = TestNodes.uniqueClusterName();
    catalogConfig = new CatalogConfig(CatalogConfig.database(TestPostgres.createDatabase()), 4, 30);
    cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster, "cache-1"),
        new CacheService(CacheConfig.fromEnv(Map.of()))));
    catalogA = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-a"),
        new CatalogService(catalogConfig)));
    catalogB = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-b"),
        new CatalogService(catalogConfig)));
    gateway = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gateway-1"),
        new GatewayService(new GatewayConfig(ROUTES, TIMEOUT_MS, 1_000, 2 * 1024 * 1024, 100),
            ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", "gateway-it:" + API_KEY + ":admin|write")))));
    http = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY));
    stubs = Vertx.vertx();
    http.awaitResponse("/admin/services", r -> instances(r.bodyAsJsonObject(), "catalog-service").size() == 2
        && instances(r.bodyAsJsonObject(), "cache-service").size() == 1, Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    http.close();
    await(stubs.close());
    await(gateway.stop());
    await(catalogB.stop());
    await(catalogA.stop());
    await(cache.stop());
  }

  static JsonArray instances(JsonObject admin, String service) {
    JsonObject entry = admin.getJsonObject("services").getJsonObject(service);
    return entry == null ? new JsonArray() : entry.getJsonArray("instances");
  }

  static JsonObject product() {
    return new JsonObject().put("sku", "GW-" + UUID.randomUUID()).put("name", "Chair").put("category", "gw")
        .put("priceCents", 4900).put("currency", "EUR").put("stock", 3);
  }

  /** Publishes an HTTP endpoint as if an instance on this node served it. */
  static Record publish(String service, String instanceId, int port) {
    return await(gateway.discovery().publish(
        ServiceRecords.httpEndpoint(service, instanceId, gateway.nodeId(), "127.0.0.1", port)));
  }

  static void awaitInstances(String service, int count) {
    http.awaitResponse("/admin/services", r -> instances(r.bodyAsJsonObject(), service).size() == count,
        Duration.ofSeconds(10));
  }

  /** A real HTTP server that answers every request with what it received. */
  static HttpServer echoServer(String name, int port) {
    return await(stubs.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> req.response()
        .putHeader("X-Instance-Id", name)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("method", req.method().name()).put("uri", req.uri())
            .put("requestId", req.getHeader("X-Request-Id")).put("prefix", req.getHeader("X-Forwarded-Prefix"))
            .put("body", body.toString()).encode()))).listen(port, "127.0.0.1"));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void crud_throughGateway() {
    HttpResponse<Buffer> created = http.post("/api/catalog/products", product());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    long id = created.bodyAsJsonObject().getLong("id");
    assertThat(created.getHeader("Location")).isEqualTo("/api/catalog/products/" + id);

    HttpResponse<Buffer> read = http.get(created.getHeader("Location"));
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeader("ETag")).isEqualTo("\"1\"");
    assertThat(read.getHeader("X-Request-Id")).isNotBlank();

    JsonObject changed = read.bodyAsJsonObject().put("stock", 0);
    assertThat(http.put("/api/catalog/products/" + id, changed).bodyAsJsonObject().getInteger("version"))
        .isEqualTo(2);
    assertThat(http.get("/api/catalog/products/" + id).bodyAsJsonObject().getInteger("stock")).isZero();
    assertThat(http.get("/api/catalog/products?category=gw&limit=100").bodyAsJsonObject().getJsonArray("items"))
        .isNotEmpty();
    assertThat(http.delete("/api/catalog/products/" + id).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> gone = http.get("/api/catalog/products/" + id);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(gone.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  void roundRobin_acrossCatalogInstances() {
    long id = http.post("/api/catalog/products", product()).bodyAsJsonObject().getLong("id");
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> response = http.get("/api/catalog/products/" + id);
      assertThat(response.statusCode()).isEqualTo(200);
      served.merge(response.getHeader("X-Instance-Id"), 1, Integer::sum);
    }
    assertThat(served).containsOnly(Map.entry("catalog-a", 10), Map.entry("catalog-b", 10));
  }

  @Test
  void cacheApi_throughGateway() {
    String key = "gw-" + UUID.randomUUID();
    assertThat(http.put("/api/cache/maps/products/entries/" + key, new JsonObject().put("x", 1)).statusCode())
        .isEqualTo(201);
    HttpResponse<Buffer> read = http.get("/api/cache/maps/products/entries/" + key);
    assertThat(read.bodyAsJsonObject()).isEqualTo(new JsonObject().put("x", 1));
    assertThat(read.getHeader("X-Instance-Id")).isEqualTo("cache-1");
    assertThat(http.get("/api/cache/maps/products/stats").bodyAsJsonObject().getInteger("members")).isEqualTo(4);
  }

  @Test
  void admin_listsServicesAndInstances() {
    JsonObject admin = http.get("/admin/services").bodyAsJsonObject();
    JsonArray catalog = instances(admin, "catalog-service");
    assertThat(catalog.stream().map(i -> ((JsonObject) i).getString("instanceId")))
        .containsExactly("catalog-a", "catalog-b");
    JsonObject a = catalog.getJsonObject(0);
    assertThat(a.getString("host")).isEqualTo("127.0.0.1");
    assertThat(a.getInteger("port")).isEqualTo(catalogA.port());
    assertThat(a.getBoolean("inRotation")).isTrue();
    assertThat(a.getLong("requests")).isNotNull();
    assertThat(a.getLong("failures")).isNotNull();
    assertThat(admin.getJsonObject("services").getJsonObject("catalog-service").getString("route"))
        .isEqualTo("/api/catalog");
    assertThat(admin.getJsonObject("services").getJsonObject("catalog-service").getString("strategy"))
        .isEqualTo("round-robin");
  }

  @Test
  void noInstance_503() {
    HttpResponse<Buffer> response = http.get("/api/ghost/anything");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("detail")).contains("ghost-service");
  }

  @Test
  void unreachableInstances_502_andOutOfRotation() {
    publish("dead-service", "dead-1", freePort());
    publish("dead-service", "dead-2", freePort());
    awaitInstances("dead-service", 2);
    HttpResponse<Buffer> response = http.get("/api/dead/x");
    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonArray dead = instances(http.get("/admin/services").bodyAsJsonObject(), "dead-service");
    assertThat(dead.stream().map(i -> ((JsonObject) i).getBoolean("inRotation"))).containsOnly(false);
    assertThat(dead.stream().map(i -> ((JsonObject) i).getLong("failures"))).containsOnly(1L);
  }

  @Test
  void connectFailure_retriedOnOtherInstance_thenReadmittedWhenHealthy() {
    int downPort = freePort();
    HttpServer live = echoServer("flaky-live", freePort());
    publish("flaky-service", "flaky-down", downPort);
    publish("flaky-service", "flaky-live", live.actualPort());
    awaitInstances("flaky-service", 2);

    for (int i = 0; i < 6; i++) {
      HttpResponse<Buffer> response = http.get("/api/flaky/items?i=" + i);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("X-Instance-Id")).isEqualTo("flaky-live");
    }
    assertThat(http.put("/api/flaky/items/1", new JsonObject().put("v", 1)).statusCode()).isEqualTo(200);
    JsonObject down = instances(http.get("/admin/services").bodyAsJsonObject(), "flaky-service").getJsonObject(0);
    assertThat(down.getString("instanceId")).isEqualTo("flaky-down");
    assertThat(down.getBoolean("inRotation")).isFalse();

    echoServer("flaky-down", downPort); // the instance comes back
    http.awaitResponse("/admin/services", r -> instances(r.bodyAsJsonObject(), "flaky-service").getJsonObject(0)
        .getBoolean("inRotation"), Duration.ofSeconds(10));
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      served.merge(http.get("/api/flaky/x").getHeader("X-Instance-Id"), 1, Integer::sum);
    }
    assertThat(served).containsOnly(Map.entry("flaky-down", 2), Map.entry("flaky-live", 2));
  }

  @Test
  void forwardsPathQueryBodyAndRequestId() {
    HttpServer echo = echoServer("echo", freePort());
    publish("echo-service", "echo", echo.actualPort());
    awaitInstances("echo-service", 1);
    HttpResponse<Buffer> response = await(http.request(HttpMethod.POST, "/api/echo/a/b?q=%C3%A9&x=1")
        .putHeader("X-Request-Id", "req-42").sendJsonObject(new JsonObject().put("k", "v")));
    JsonObject seen = response.bodyAsJsonObject();
    assertThat(seen.getString("uri")).isEqualTo("/a/b?q=%C3%A9&x=1");
    assertThat(seen.getString("requestId")).isEqualTo("req-42");
    assertThat(seen.getString("prefix")).isEqualTo("/api/echo");
    assertThat(seen.getString("body")).isEqualTo("{\"k\":\"v\"}");
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("req-42");
  }

  @Test
  void slowUpstream_504() {
    HttpServer silent = await(stubs.createHttpServer().requestHandler(req -> {
      // never answers
    }).listen(0, "127.0.0.1"));
    publish("slow-service", "silent", silent.actualPort());
    awaitInstances("slow-service", 1);
    HttpResponse<Buffer> response = http.get("/api/slow/wait");
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject silentState = instances(http.get("/admin/services").bodyAsJsonObject(), "slow-service")
        .getJsonObject(0);
    assertThat(silentState.getBoolean("inRotation")).isTrue(); // slow is not dead
    assertThat(silentState.getLong("failures")).isEqualTo(1);
  }

  @Test
  void departedNode_recordsRemoved() {
    ServiceNode doomed = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-doomed"),
        new CatalogService(catalogConfig)));
    awaitInstances("catalog-service", 3);
    // Leave the cluster without unpublishing, as a killed process would.
    doomed.cluster().hazelcast().getLifecycleService().terminate();
    awaitInstances("catalog-service", 2);
    await(doomed.vertx().close().recover(e -> io.vertx.core.Future.succeededFuture()));
  }

  @Test
  void bodyTooLarge_413() {
    Buffer big = Buffer.buffer(new byte[2 * 1024 * 1024 + 1]);
    HttpResponse<Buffer> response = http.send(HttpMethod.POST, "/api/catalog/products", "application/json", big);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  void gatewayHealthAndReadiness() {
    assertThat(http.get("/health").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = http.get("/ready");
    JsonObject checks = ready.bodyAsJsonObject().getJsonObject("checks");
    assertThat(checks.getString("catalog-service")).isEqualTo("UP");
    assertThat(checks.getString("ghost-service")).startsWith("DOWN");
    assertThat(ready.statusCode()).isEqualTo(503); // ghost-service has no instance
  }

}
