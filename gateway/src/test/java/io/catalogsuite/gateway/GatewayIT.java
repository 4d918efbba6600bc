package io.catalogsuite.gateway;

import static io.catalogsuite.gateway.TestGateway.freePort;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.ClusterNode;
import io.catalogsuite.common.discovery.ServiceRecords;
import io.catalogsuite.gateway.balance.Strategy;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.gateway.proxy.Resilience;
import io.catalogsuite.testing.CapturedLogs;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.servicediscovery.Record;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of real services: one cache-service and two catalog-service members on a real Postgres,
 * all in one Hazelcast cluster, over real HTTP. Failure cases use small real HTTP servers (a closed port, a
 * server that never answers) published in discovery like any instance.
 */
class GatewayIT {
  /** Generous: 500 concurrent writes on a busy 2-core build machine take their time. */
  private static final int TIMEOUT_MS = 5_000;
  /** The route of an instance that never answers: its 504 comes after this. */
  private static final int SLOW_TIMEOUT_MS = 1_000;
  /** Every request sends this admin key: these tests are about routing (ProtectionIT is about protection). */
  private static final String API_KEY = "gateway-it-" + UUID.randomUUID();
  private static final List<GatewayConfig.Route> ROUTES = GatewayConfig.routes(List.of(
      "/api/catalog=catalog-service", "/api/cache=cache-service", "/api/ghost=ghost-service",
      "/api/flaky=flaky-service", "/api/dead=dead-service", "/api/slow=slow-service", "/api/echo=echo-service",
      "/api/weighted=weighted-service", "/api/sticky=sticky-service", "/api/sick=sick-service",
      "/api/allsick=allsick-service", "/api/buggy=buggy-service",
      "/api/probed=probed-service", "/api/down=down-service", "/api/forged=forged-service"));
  /** Eject after 3 failures for 600 ms (doubling), panic at 50 %, probes every 100 ms (2 to fail or pass), no slow start. */
  private static final HealthPolicy HEALTH = new HealthPolicy(3, 600, 5_000, 50, 100, 2, 2, 0);
  /** Up to 2 retries, 10-40 ms backoff, a budget too generous to matter here, a breaker that does not trip. */
  private static final Resilience RESILIENCE = new Resilience(2, 10, 40, 100, 1_000, 1_000_000, 10_000, 10_000);
  /** 8 KiB of headers, slow clients cut after 2 s, gzip, CORS for one origin. */
  private static final GatewayConfig.ClientLimits CLIENTS = new GatewayConfig.ClientLimits(8192, 2, true,
      List.of("https://shop.example"));
  private static final Map<String, GatewayConfig.Balancing> BALANCING = Map.of(
      "weighted-service", new GatewayConfig.Balancing(Strategy.WEIGHTED_ROUND_ROBIN, null),
      "sticky-service", new GatewayConfig.Balancing(Strategy.CONSISTENT_HASH, "X-User"));

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
    // Event streams get a heartbeat every 200 ms: well within the gateway's 2 s client idle timeout.
    catalogConfig = new CatalogConfig(CatalogConfig.database(TestPostgres.createDatabase()), 4,
        SharedCacheConfig.withMissingTtl(5), NearCacheConfig.defaults(),
        new EventsConfig(1000, 500, 200, 72, 100, 10_000), ImportConfig.defaults(), IdempotencyConfig.defaults());
    cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster, "cache-1"),
        new CacheService(CacheConfig.fromEnv(Map.of()))));
    catalogA = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-a"),
        new CatalogService(catalogConfig)));
    catalogB = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-b"),
        new CatalogService(catalogConfig)));
    gateway = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gateway-1"),
        new GatewayService(new GatewayConfig(ROUTES, TIMEOUT_MS, 1_000, 2 * 1024 * 1024,
            Set.of("application/x-ndjson"), HEALTH, BALANCING,
            Map.of(), Map.of("/api/slow", SLOW_TIMEOUT_MS), RESILIENCE, CLIENTS, GatewayConfig.StreamLimits.DEFAULT),
            ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", "gateway-it:" + API_KEY + ":admin|write",
                "RATE_LIMITS", "/api/catalog=off")))));
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
    return publish(service, instanceId, port, 1);
  }

  static Record publish(String service, String instanceId, int port, int weight) {
    return TestGateway.publish(gateway, service, instanceId, port, weight);
  }

  static Map<String, Integer> servedBy(int requests, String path, String user) {
    Map<String, Integer> served = new HashMap<>();
    for (int i = 0; i < requests; i++) {
      var request = http.request(HttpMethod.GET, path);
      if (user != null) {
        request.putHeader("X-User", user);
      }
      served.merge(await(request.send()).getHeader("X-Instance-Id"), 1, Integer::sum);
    }
    return served;
  }

  static void awaitInstances(String service, int count) {
    TestGateway.awaitInstances(http, service, count);
  }

  /** A real HTTP server that answers every request with what it received. */
  static HttpServer echoServer(String name, int port) {
    return await(stubs.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> req.response()
        .putHeader("X-Instance-Id", name)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("method", req.method().name()).put("uri", req.uri())
            .put("requestId", req.getHeader("X-Request-Id")).put("prefix", req.getHeader("X-Forwarded-Prefix"))
            .put("traceparent", req.getHeader("traceparent")).put("tracestate", req.getHeader("tracestate"))
            .put("body", body.toString()).encode()))).listen(port, "127.0.0.1"));
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

  /**
   * Server-Sent Events pass through the gateway as they come, and an idle stream outlives the gateway's
   * client idle timeout (2 s): the catalog's heartbeats keep it open. (The upstream timeout only bounds the
   * wait for the response to begin.)
   */
  @Test
  void eventStream_throughGateway_staysOpenWhileIdle_andResumes() throws InterruptedException {
    String url = "http://127.0.0.1:" + gateway.port() + "/api/catalog/events";
    long first;
    String firstEventId;
    try (EventStreamClient events = EventStreamClient.open(url, Map.of())) { // reads are public: no key
      assertThat(events.status()).isEqualTo(200);
      first = http.post("/api/catalog/products", product()).bodyAsJsonObject().getLong("id");
      EventStreamClient.Event created = nextAbout(events, first);
      assertThat(created.type()).isEqualTo("product.created");
      firstEventId = created.id();

      // Idle for longer than the client idle timeout: what this test is about.
      Thread.sleep(CLIENTS.idleTimeoutSeconds() * 1000L + 1000);
      long later = http.post("/api/catalog/products", product()).bodyAsJsonObject().getLong("id");
      assertThat(nextAbout(events, later).type()).isEqualTo("product.created");
    }
    try (EventStreamClient resumed = EventStreamClient.open(url, Map.of("Last-Event-ID", firstEventId))) {
      EventStreamClient.Event next = resumed.take(1).get(0);
      assertThat(Long.parseLong(next.id())).isGreaterThan(Long.parseLong(firstEventId));
      assertThat(new JsonObject(next.data()).getLong("productId")).isNotEqualTo(first);
    }
  }

  /** The next event about product {@code id}, skipping others' (tests share the catalog). */
  private static EventStreamClient.Event nextAbout(EventStreamClient events, long id) {
    while (true) {
      EventStreamClient.Event event = events.take(1).get(0);
      if (new JsonObject(event.data()).getLong("productId") == id) {
        return event;
      }
    }
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
  void weightedRoundRobin_followsPublishedWeights() {
    publish("weighted-service", "heavy", echoServer("heavy", 0).actualPort(), 3);
    publish("weighted-service", "light", echoServer("light", 0).actualPort(), 1);
    awaitInstances("weighted-service", 2);
    assertThat(servedBy(40, "/api/weighted/x", null)).containsOnly(Map.entry("heavy", 30), Map.entry("light", 10));
    JsonArray instances = instances(http.get("/admin/services").bodyAsJsonObject(), "weighted-service");
    assertThat(instances.getJsonObject(0).getInteger("weight")).isEqualTo(3);
  }

  @Test
  void consistentHash_stickyPerHeaderValue() {
    for (int i = 0; i < 3; i++) {
      publish("sticky-service", "sticky-" + i, echoServer("sticky-" + i, 0).actualPort());
    }
    awaitInstances("sticky-service", 3);
    for (String user : List.of("alice", "bob", "carol", "dave")) {
      assertThat(servedBy(5, "/api/sticky/cart", user)).hasSize(1); // every request of a user: one instance
    }
    Map<String, Integer> spread = new HashMap<>();
    for (int u = 0; u < 60; u++) {
      servedBy(1, "/api/sticky/cart", "user-" + u).keySet().forEach(id -> spread.merge(id, 1, Integer::sum));
    }
    assertThat(spread).hasSize(3); // and users spread over all instances
    assertThat(http.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
        .getJsonObject("sticky-service").getString("strategy")).isEqualTo("consistent-hash");
  }

  /**
   * Anything that can write the discovery map (a Hazelcast client knowing the cluster name, say) could point the
   * gateway at a host of its choosing: records that name no current member, or a member with a host that is not
   * the member's, are never routed to. With the origin check off, the gateway routed to both forged records.
   */
  @Test
  void discovery_routesOnlyToRecordsOfCurrentMembers() {
    // Three servers that all answer (localhost is this host): only the origin of the record differs.
    Record unknownNode = await(gateway.discovery().publish(ServiceRecords.httpEndpoint("forged-service",
        "forged-no-member", "no-such-node-" + UUID.randomUUID(), "127.0.0.1",
        echoServer("forged-no-member", 0).actualPort(), 1)));
    Record foreignHost = await(gateway.discovery().publish(ServiceRecords.httpEndpoint("forged-service",
        "forged-elsewhere", catalogA.nodeId(), "localhost", echoServer("forged-elsewhere", 0).actualPort(), 1)));
    Record genuine = publish("forged-service", "forged-genuine", echoServer("forged-genuine", 0).actualPort());
    try {
      awaitInstances("forged-service", 1);
      assertThat(instances(http.get("/admin/services").bodyAsJsonObject(), "forged-service").stream()
          .map(i -> ((JsonObject) i).getString("instanceId"))).containsExactly("forged-genuine");
      assertThat(servedBy(12, "/api/forged/x", null)).containsOnlyKeys("forged-genuine");
    } finally {
      for (Record record : List.of(unknownNode, foreignHost, genuine)) {
        await(gateway.discovery().unpublish(record.getRegistration()));
      }
    }
  }

  @Test
  void cacheApi_throughGateway() {
    String key = "gw-" + UUID.randomUUID();
    assertThat(http.put("/api/cache/maps/shared/entries/" + key, new JsonObject().put("x", 1)).statusCode())
        .isEqualTo(201);
    HttpResponse<Buffer> read = http.get("/api/cache/maps/shared/entries/" + key);
    assertThat(read.bodyAsJsonObject()).isEqualTo(new JsonObject().put("x", 1));
    assertThat(read.getHeader("X-Instance-Id")).isEqualTo("cache-1");
    // The members that hold or read the cache answer: cache-service and both catalog-service instances.
    assertThat(http.get("/api/cache/maps/products/stats").bodyAsJsonObject().getInteger("members")).isEqualTo(3);
    // The catalog's own map is read-only through the API, with any credential.
    assertThat(http.put("/api/cache/maps/products/entries/1", new JsonObject().put("x", 1)).statusCode())
        .isEqualTo(403);
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

  /** A real server answering /health with 200 (or {@code healthStatus}) and everything else with {@code status}. */
  static HttpServer statusServer(String name, int status, AtomicInteger healthStatus) {
    return await(stubs.createHttpServer().requestHandler(req -> req.response()
            .putHeader("X-Instance-Id", name)
            .setStatusCode(req.path().equals("/health") ? healthStatus.get() : status)
            .end())
        .listen(0, "127.0.0.1"));
  }

  static JsonObject instance(String service, String instanceId) {
    return instances(http.get("/admin/services").bodyAsJsonObject(), service).stream()
        .map(JsonObject.class::cast).filter(i -> i.getString("instanceId").equals(instanceId)).findFirst().orElseThrow();
  }

  @Test
  void passiveHealth_ejectsAfterKFailures_andReturnsOnItsOwn() {
    var healthy = new AtomicInteger(200);
    publish("sick-service", "sick", statusServer("sick", 504, healthy).actualPort());
    publish("sick-service", "well", statusServer("well", 200, healthy).actualPort());
    awaitInstances("sick-service", 2);
    Map<String, Integer> statuses = new HashMap<>();
    for (int i = 0; i < 6; i++) { // round-robin: 3 of these reach "sick", the 3rd ejects it
      statuses.merge(Integer.toString(http.get("/api/sick/x").statusCode()), 1, Integer::sum);
    }
    assertThat(statuses).containsOnly(Map.entry("504", 3), Map.entry("200", 3));
    JsonObject sick = instance("sick-service", "sick");
    assertThat(sick.getString("state")).isEqualTo("ejected");
    assertThat(sick.getString("ejectedUntil")).isNotNull();
    assertThat(servedBy(10, "/api/sick/x", null)).containsOnly(Map.entry("well", 10));
    assertThat(PrometheusText.sample(http.get("/metrics").bodyAsString(), "gateway_ejections_total", "upstream=\"sick\""))
        .isEqualTo(1);
    // Back after the ejection (600 ms), without anyone's help.
    http.awaitResponse("/admin/services", r -> instances(r.bodyAsJsonObject(), "sick-service").stream()
        .map(JsonObject.class::cast).allMatch(i -> i.getString("state").equals("in-rotation")), Duration.ofSeconds(10));
    assertThat(servedBy(4, "/api/sick/x", null)).containsOnly(Map.entry("sick", 2), Map.entry("well", 2));
  }

  /** A 500 is what one client's request can cause: it must not take the instance away from every client. */
  @Test
  void passiveHealth_500sDoNotEject() {
    var healthy = new AtomicInteger(200);
    publish("buggy-service", "buggy", statusServer("buggy", 500, healthy).actualPort());
    awaitInstances("buggy-service", 1);
    for (int i = 0; i < 6; i++) { // twice the failures that eject
      assertThat(http.get("/api/buggy/x").statusCode()).isEqualTo(500);
    }
    JsonObject buggy = instance("buggy-service", "buggy");
    assertThat(buggy.getString("state")).isEqualTo("in-rotation");
    assertThat(buggy.getLong("failures")).isZero();
  }

  @Test
  void panicThreshold_neverEjectsMoreThanTheShare() {
    var healthy = new AtomicInteger(200);
    publish("allsick-service", "bad-1", statusServer("bad-1", 504, healthy).actualPort());
    publish("allsick-service", "bad-2", statusServer("bad-2", 504, healthy).actualPort());
    awaitInstances("allsick-service", 2);
    for (int i = 0; i < 12; i++) {
      assertThat(http.get("/api/allsick/x").statusCode()).isEqualTo(504);
    }
    JsonArray both = instances(http.get("/admin/services").bodyAsJsonObject(), "allsick-service");
    assertThat(both.stream().map(i -> ((JsonObject) i).getString("state")).filter("ejected"::equals)).hasSize(1);
  }

  @Test
  void activeHealth_unhealthyAfterFailedProbes_healthyAfterPassed() {
    var health = new AtomicInteger(200);
    publish("probed-service", "probed", statusServer("probed", 200, health).actualPort());
    publish("probed-service", "steady", statusServer("steady", 200, new AtomicInteger(200))
        .actualPort());
    awaitInstances("probed-service", 2);
    health.set(503);
    http.awaitResponse("/admin/services", r -> "unhealthy".equals(instances(r.bodyAsJsonObject(), "probed-service")
        .getJsonObject(0).getString("state")), Duration.ofSeconds(10));
    assertThat(servedBy(6, "/api/probed/x", null)).containsOnly(Map.entry("steady", 6));
    health.set(200);
    http.awaitResponse("/admin/services", r -> "in-rotation".equals(instances(r.bodyAsJsonObject(), "probed-service")
        .getJsonObject(0).getString("state")), Duration.ofSeconds(10));
    assertThat(servedBy(4, "/api/probed/x", null)).containsKeys("probed", "steady");
  }

  /** Every instance of a service known but unhealthy: the gateway stays ready, and /ready says DEGRADED why. */
  @Test
  void noInstanceInRotation_readyShowsIt() {
    publish("down-service", "down", statusServer("down", 200, new AtomicInteger(503))
        .actualPort());
    awaitInstances("down-service", 1);
    JsonObject checks = http.awaitResponse("/ready", r -> r.bodyAsJsonObject().getJsonObject("checks")
        .getString("down-service in rotation").startsWith("DEGRADED"), Duration.ofSeconds(10))
        .bodyAsJsonObject().getJsonObject("checks");
    assertThat(checks.getString("down-service in rotation")).contains("none of its 1 instances");
    assertThat(checks.getString("down-service")).isEqualTo("UP"); // discovered
    assertThat(checks.getString("catalog-service in rotation")).isEqualTo("UP");
  }

  @Test
  void forwardsPathQueryBodyAndRequestId() {
    HttpServer echo = echoServer("echo", freePort());
    publish("echo-service", "echo", echo.actualPort());
    awaitInstances("echo-service", 1);
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponse<Buffer> response = await(http.request(HttpMethod.POST, "/api/echo/a/b?q=%C3%A9&x=1")
        .putHeader("X-Request-Id", "req-42").putHeader("traceparent", traceparent)
        .putHeader("tracestate", "shop=checkout").sendJsonObject(new JsonObject().put("k", "v")));
    JsonObject seen = response.bodyAsJsonObject();
    assertThat(seen.getString("uri")).isEqualTo("/a/b?q=%C3%A9&x=1");
    assertThat(seen.getString("requestId")).isEqualTo("req-42");
    assertThat(seen.getString("prefix")).isEqualTo("/api/echo");
    assertThat(seen.getString("body")).isEqualTo("{\"k\":\"v\"}");
    assertThat(response.getHeader("X-Request-Id")).isEqualTo("req-42");
    // This gateway does not trace: W3C trace context is an end-to-end header like any other (TracingIT: when it does).
    assertThat(seen.getString("traceparent")).isEqualTo(traceparent);
    assertThat(seen.getString("tracestate")).isEqualTo("shop=checkout");
  }

  @Test
  void slowUpstream_504() {
    HttpServer silent = await(stubs.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) {
        req.response().end(); // healthy, but every real request hangs
      }
    }).listen(0, "127.0.0.1"));
    publish("slow-service", "silent", silent.actualPort());
    awaitInstances("slow-service", 1);
    HttpResponse<Buffer> response = http.get("/api/slow/wait");
    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject silentState = instances(http.get("/admin/services").bodyAsJsonObject(), "slow-service")
        .getJsonObject(0);
    assertThat(silentState.getBoolean("inRotation")).isTrue(); // slow is not dead (one timeout, K is 3)
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
  void reservations_500Concurrent_stock100_exactly100Succeed() {
    long id = http.post("/api/catalog/products", product().put("stock", 100)).bodyAsJsonObject().getLong("id");
    List<io.vertx.core.Future<HttpResponse<Buffer>>> attempts = new java.util.ArrayList<>();
    for (int i = 0; i < 500; i++) {
      attempts.add(http.request(HttpMethod.POST, "/api/catalog/products/" + id + "/reservations")
          .sendJsonObject(new JsonObject().put("quantity", 1)));
    }
    Map<Integer, Integer> statuses = new HashMap<>();
    Map<String, Integer> servedBy = new HashMap<>();
    for (HttpResponse<Buffer> response : await(io.vertx.core.Future.all(attempts)).<HttpResponse<Buffer>>list()) {
      statuses.merge(response.statusCode(), 1, Integer::sum);
      servedBy.merge(response.getHeader("X-Instance-Id"), 1, Integer::sum);
    }
    assertThat(statuses).containsOnly(Map.entry(201, 100), Map.entry(409, 400));
    assertThat(servedBy).containsOnlyKeys("catalog-a", "catalog-b"); // spread over both instances
    JsonObject product = http.get("/api/catalog/products/" + id).bodyAsJsonObject();
    assertThat(product.getInteger("stock")).isZero();
    assertThat(product.getInteger("version")).isEqualTo(101);
  }

  @Test
  void gracefulServiceStop_noRequestLost() {
    ServiceNode leaving = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-leaving")
        .withDrainDelayMs(500), new CatalogService(catalogConfig)));
    awaitInstances("catalog-service", 3);
    List<io.vertx.core.Future<HttpResponse<Buffer>>> posts = new java.util.ArrayList<>();
    io.vertx.core.Future<Void> stopped = null;
    for (int i = 0; i < 60; i++) { // POST is never retried: a request sent to a closed server would be a 502
      posts.add(http.request(HttpMethod.POST, "/api/catalog/products").sendJsonObject(product()));
      if (i == 10) {
        stopped = leaving.stop();
      }
      await(posts.get(i));
    }
    assertThat(posts).allSatisfy(p -> assertThat(p.result().statusCode()).isEqualTo(201));
    await(stopped);
    awaitInstances("catalog-service", 2);
  }

  @Test
  void compression_whenTheClientAcceptsIt() {
    HttpResponse<Buffer> gzip = await(http.request(HttpMethod.GET, "/admin/services")
        .putHeader("Accept-Encoding", "gzip").send());
    assertThat(gzip.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(http.get("/admin/services").getHeader("Content-Encoding")).isNull();
  }

  @Test
  void headersTooLarge_431() {
    HttpResponse<Buffer> response = await(http.request(HttpMethod.GET, "/api/catalog/products")
        .putHeader("X-Padding", "x".repeat(10_000)).send());
    assertThat(response.statusCode()).isEqualTo(431);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getInteger("status")).isEqualTo(431);
  }

  @Test
  void cors_preflightForAnAllowedOrigin() {
    HttpResponse<Buffer> preflight = await(http.request(HttpMethod.OPTIONS, "/api/catalog/products")
        .putHeader("Origin", "https://shop.example").putHeader("Access-Control-Request-Method", "POST").send());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
    HttpResponse<Buffer> other = await(http.request(HttpMethod.GET, "/admin/services")
        .putHeader("Origin", "https://evil.example").send());
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(other.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void slowClient_connectionClosed() {
    io.vertx.core.net.NetSocket socket = await(stubs.createNetClient().connect(gateway.port(), "127.0.0.1"));
    java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
    socket.closeHandler(v -> closed.complete(null));
    socket.write("GET /health HTTP/1.1\r\nHost: gateway\r\n"); // and never the end of the headers
    assertThat(closed).succeedsWithin(Duration.ofSeconds(10));
  }

  /**
   * No cleartext HTTP/2 (h2c): the gateway's proxying, limits and tests are HTTP/1.1's, and an upgrade path nobody
   * tests is a side door. A client asking to upgrade gets its answer in HTTP/1.1.
   */
  @Test
  void h2cUpgrade_refused_answeredInHttp11() {
    io.vertx.core.net.NetSocket socket = await(stubs.createNetClient().connect(gateway.port(), "127.0.0.1"));
    java.util.concurrent.CompletableFuture<String> head = new java.util.concurrent.CompletableFuture<>();
    StringBuilder received = new StringBuilder();
    socket.handler(chunk -> {
      received.append(chunk.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
      if (received.indexOf("\r\n") >= 0) {
        head.complete(received.substring(0, received.indexOf("\r\n")));
      }
    });
    socket.write("GET /health HTTP/1.1\r\nHost: gateway\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
    assertThat(head).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("HTTP/1.1 200 OK");
    socket.close();
  }

  @Test
  void bodyTooLarge_413() {
    Buffer big = Buffer.buffer(new byte[2 * 1024 * 1024 + 1]);
    HttpResponse<Buffer> response = http.send(HttpMethod.POST, "/api/catalog/products", "application/json", big);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  /** The gateway buffers bodies to retry them: on methods where a body means nothing, only a small one. */
  @Test
  void bodyOnGet_beyond8KiB_413() {
    Buffer big = Buffer.buffer(new byte[8 * 1024 + 1]);
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.DELETE)) {
      HttpResponse<Buffer> response = http.send(method, "/api/catalog/products/1", "application/json", big);
      assertThat(response.statusCode()).as(method.name()).isEqualTo(413);
      assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
    assertThat(http.send(HttpMethod.GET, "/api/catalog/health", "application/json", Buffer.buffer("{}"))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void metrics_exposedAndCounting() {
    long id = http.post("/api/catalog/products", product()).bodyAsJsonObject().getLong("id");
    for (int i = 0; i < 4; i++) {
      http.get("/api/catalog/products/" + id);
    }
    String metrics = http.get("/metrics").bodyAsString();
    assertThat(PrometheusText.sample(metrics, "gateway_requests_seconds_count", "method=\"GET\"", "route=\"/api/catalog\"",
        "status=\"200\"", "upstream=\"catalog-a\"")).isGreaterThanOrEqualTo(2);
    assertThat(PrometheusText.sample(metrics, "gateway_upstream_picks_total", "upstream=\"catalog-b\"")).isGreaterThanOrEqualTo(2);
    assertThat(metrics).contains("gateway_requests_seconds_bucket{").contains("gateway_in_flight{")
        .contains("jvm_memory_used_bytes")
        .doesNotContain("vertx_http_server_requests_total"); // one set of HTTP metrics: the gateway's own
    http.get("/api/ghost/x"); // answered by the gateway itself: no upstream
    assertThat(PrometheusText.sample(http.get("/metrics").bodyAsString(), "gateway_requests_seconds_count",
        "route=\"/api/ghost\"", "status=\"503\"", "upstream=\"none\"")).isEqualTo(1);
  }

  /** A request with an invented method or path adds no series: methods and routes are bounded labels. */
  @Test
  void metrics_hostileMethodsAndPaths_addNoSeries() {
    HttpMethod hostile = HttpMethod.valueOf("HOSTILEX" + UUID.randomUUID().toString().substring(0, 4).toUpperCase());
    await(http.request(hostile, "/x-" + UUID.randomUUID()).send());
    for (int i = 0; i < 2; i++) { // round-robin: one to each catalog instance
      await(http.request(hostile, "/api/catalog/health").send());
    }
    String gatewayMetrics = http.get("/metrics").bodyAsString();
    String catalogMetrics;
    try (TestHttp catalog = new TestHttp(catalogA.port())) {
      catalogMetrics = catalog.get("/metrics").bodyAsString();
    }
    assertThat(gatewayMetrics).doesNotContain("HOSTILEX").doesNotContain("/x-");
    assertThat(catalogMetrics).doesNotContain("HOSTILEX");
    assertThat(PrometheusText.sample(gatewayMetrics, "gateway_requests_seconds_count", "route=\"unmatched\"",
        "method=\"other\"")).isPositive();
    assertThat(PrometheusText.sample(gatewayMetrics, "gateway_requests_seconds_count", "route=\"/api/catalog\"",
        "method=\"other\"")).isPositive();
  }

  @Test
  void accessLog_oneJsonLinePerRequest() {
    try (CapturedLogs access = CapturedLogs.of("access")) {
      String requestId = "log-" + UUID.randomUUID();
      long id = http.post("/api/catalog/products", product()).bodyAsJsonObject().getLong("id");
      await(http.request(HttpMethod.GET, "/api/catalog/products/" + id).putHeader("X-Request-Id", requestId).send());
      // The writer logs its lines in batches: one logging event may hold several lines.
      io.catalogsuite.testing.Waits.until("the access log line", Duration.ofSeconds(5), () ->
          access.lines().stream().anyMatch(event -> event.contains(requestId)));
      JsonObject line = new JsonObject(access.lines().stream().flatMap(String::lines)
          .filter(m -> m.contains(requestId)).findFirst().orElseThrow());
      assertThat(line.getString("method")).isEqualTo("GET");
      assertThat(line.getString("path")).isEqualTo("/api/catalog/products/" + id);
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.getString("upstream")).isIn("catalog-a", "catalog-b");
      assertThat(line.getString("route")).isEqualTo("/api/catalog");
      assertThat(line.getString("principal")).isEqualTo("gateway-it");
      assertThat(line.encode()).doesNotContain(API_KEY);
      assertThat(line.getLong("bytes")).isPositive();
      assertThat(line.getDouble("latencyMs")).isPositive();
      // This gateway does not trace (TracingIT's does).
      assertThat(line.fieldNames()).contains("traceId");
      assertThat(line.getString("traceId")).isNull();
    }
  }

  /** cache-service members hold every partition; the gateway and catalog-service join without data. */
  @Test
  void clusterData_isOnCacheServiceMembersOnly() {
    HazelcastInstance member = gateway.cluster().hazelcast();
    for (ServiceNode node : List.of(gateway, catalogA, catalogB)) {
      assertThat(node.cluster().hazelcast().getCluster().getLocalMember().isLiteMember()).isTrue();
    }
    Waits.until("every partition assigned", Duration.ofSeconds(10), () -> member.getPartitionService()
        .getPartitions().stream().allMatch(partition -> partition.getOwner() != null));
    for (Partition partition : member.getPartitionService().getPartitions()) {
      assertThat(partition.getOwner().getAttribute(ClusterNode.SERVICE_ATTRIBUTE)).as("partition %d's owner",
          partition.getPartitionId()).isEqualTo(CacheService.NAME);
    }
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
