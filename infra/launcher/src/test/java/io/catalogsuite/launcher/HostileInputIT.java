package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an attacker would send, against a real suite (separate processes: a cache-service, a catalog-service and
 * the gateway, with the deployment's secrets), each answered with the right {@code 4xx} problem and no harm to
 * anyone else. One test per finding of issue #10's table that can be sent from outside, and one per class of
 * attack that held already, so that they keep holding.
 *
 * <p>Rows that cannot be provoked from outside a process are tested where their mechanism lives: a handler that
 * fails in a callback ({@code CatalogServiceIT.responseThatCannotBeMade_500AtOnce}), 500s that must not open the
 * breaker ({@code ResilienceIT.circuitBreaker_ignores500s}), 1 MiB cache values
 * ({@code CacheServiceIT.bigValues_areBoundedByMemory_notByTheirCount}), a far replay
 * ({@code EventReplayBoundIT}), Postgres restarting ({@code StoreFailuresTest}), secrets in logs
 * ({@code SuiteEndToEndIT.noLog_holdsASecret}), forged discovery records
 * ({@code GatewayIT.discovery_routesOnlyToRecordsOfCurrentMembers}) and the event bus ({@code ClusterTlsTest}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
  private static final Path PROJECT_ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final String API_KEY = "hostile-" + UUID.randomUUID();
  private static final String JWT_SECRET = "hostile-jwt-secret-" + UUID.randomUUID();
  private static final int HEAD_TIMEOUT_MS = 1_000;
  private static final int STREAMS_PER_CLIENT = 2;
  /** Refused credentials an address may present at once: the guessing test spends them, so it runs last. */
  private static final int AUTH_FAILURE_BURST = 20;

  private static Fleet fleet;
  private static List<InstanceSpec> specs;
  private static Deployment deployment;
  private static String clusterLabel;
  private static int gatewayPort;
  private static TestHttp anonymous;
  private static TestHttp withKey;

  @BeforeAll
  static void startSuite() throws Exception {
    clusterLabel = TestNodes.uniqueClusterName();
    deployment = TestDeployments.create(clusterLabel, API_KEY);
    Path data = Files.createTempDirectory(Path.of("target"), "suite-data");
    gatewayPort = Ports.free();
    fleet = new Fleet(PROJECT_ROOT, Path.of("target", "hostile-logs").toAbsolutePath());
    fleet.requireJars();
    specs = SuitePlan.instances(1, 1, gatewayPort, deployment, TestPostgres.createDatabase(),
        data).stream().map(HostileInputIT::hardened).toList();
    fleet.start(specs, START_TIMEOUT);
    anonymous = new TestHttp(gatewayPort);
    withKey = new TestHttp(gatewayPort, Map.of("X-API-Key", API_KEY));
  }

  /** The gateway with short clocks and small caps, so that the tests reach them quickly. */
  private static InstanceSpec hardened(InstanceSpec spec) {
    if (spec.service() != ServiceKind.GATEWAY) {
      return spec;
    }
    Map<String, String> env = new HashMap<>(spec.env());
    env.put("HTTP_HEAD_TIMEOUT_MS", Integer.toString(HEAD_TIMEOUT_MS));
    env.put("JWT_HS256_SECRET", JWT_SECRET);
    env.put("GATEWAY_EVENT_STREAMS_PER_CLIENT", Integer.toString(STREAMS_PER_CLIENT));
    env.put("AUTH_FAILURE_LIMIT", "1/m:" + AUTH_FAILURE_BURST);
    return new InstanceSpec(spec.name(), spec.service(), spec.httpPort(), env);
  }

  @AfterAll
  static void stopSuite() {
    for (TestHttp http : new TestHttp[] {anonymous, withKey}) {
      if (http != null) {
        http.close();
      }
    }
    if (fleet != null) {
      fleet.stop(Fleet.STOP_GRACE);
    }
  }

  // --- text that Postgres cannot store, and JSON too deep to handle -------------------------------------------

  @Test
  void nulOrALoneSurrogate_inAQueryParameter_is400() {
    // (invalid UTF-8 in a URL decodes to U+FFFD, which is storable text: not a fault)
    for (String value : List.of("%00", "a%00b", "%00%00")) {
      assertProblem(anonymous.get("/api/catalog/products?category=" + value), 400);
      assertProblem(anonymous.get("/api/catalog/products?q=" + value), 400);
    }
  }

  @Test
  void nulInAHeader_is400() throws IOException {
    String body = product(run(), 1).encode();
    for (String header : List.of("Idempotency-Key: a\u0000b", "If-Match: \"\u0000\"", "Last-Event-ID: 1\u0000")) {
      String response = exchange("POST /api/catalog/products HTTP/1.1\r\nHost: x\r\nX-API-Key: " + API_KEY
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n" + header
          + "\r\nConnection: close\r\n\r\n" + body);
      assertThat(response).as(header).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
    }
  }

  @Test
  void aCursorCarryingNul_is400() {
    String json = new JsonObject().put("s", "name").put("v", "a\u0000b").put("i", 1).encode();
    String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    assertProblem(anonymous.get("/api/catalog/products?sort=name&cursor=" + cursor), 400);
  }

  @Test
  void nulInABody_orJsonNestedTooDeep_is400_andNothingIsStored() {
    String run = run();
    assertProblem(withKey.post("/api/catalog/products", product(run, 1).put("name", "a\u0000b")), 400);
    assertProblem(withKey.send(HttpMethod.POST, "/api/catalog/products", "application/json",
        Buffer.buffer(product(run, 1).encode().replace("hostile 1", "lone \\ud800 surrogate"))), 400);
    JsonObject deep = new JsonObject();
    JsonObject level = deep;
    for (int i = 0; i < 998; i++) {
      JsonObject next = new JsonObject();
      level.put("a", next);
      level = next;
    }
    assertProblem(withKey.post("/api/catalog/products", product(run, 2).put("attributes", deep)), 400);
    assertThat(listed(run)).isEmpty();
    assertThat(anonymous.get("/api/catalog/products?limit=100").statusCode()).isEqualTo(200);
  }

  @Test
  void anImport_appliesTheSameTextRules_lineByLine() {
    String run = run();
    String deep = "{\"a\":".repeat(998) + "1" + "}".repeat(998);
    String body = product(run, 1).encode() + "\n"
        + product(run, 2).put("name", "a\u0000b").encode() + "\n"
        + product(run, 3).encode().replace("\"attributes\":{}", "\"attributes\":" + deep) + "\n"
        + product(run, 4).encode() + "\n";
    HttpResponse<Buffer> accepted = withKey.send(HttpMethod.POST, "/api/catalog/imports", "application/x-ndjson",
        Buffer.buffer(body));
    assertThat(accepted.statusCode()).isEqualTo(202);
    String job = "/api/catalog/imports/" + accepted.bodyAsJsonObject().getString("id");
    JsonObject done = withKey.awaitResponse(job, r -> r.statusCode() == 200
        && r.bodyAsJsonObject().getString("state").equals("completed"), Duration.ofSeconds(30)).bodyAsJsonObject();
    assertThat(done.getLong("rowsDone")).isEqualTo(2);
    assertThat(done.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getLong("line")))
        .containsExactly(2L, 3L);
    assertThat(listed(run)).hasSize(2);
  }

  // --- no side doors ----------------------------------------------------------------------------------------

  @Test
  void anInstancesOwnPort_servesTheGatewayOnly() {
    for (Instance instance : fleet.instances()) {
      if (instance.service() == ServiceKind.GATEWAY) {
        continue;
      }
      try (TestHttp direct = new TestHttp(instance.port())) {
        HttpResponse<Buffer> write = instance.service() == ServiceKind.CATALOG
            ? direct.post("/products", product(run(), 1))
            : direct.put("/maps/products/entries/forged", new JsonObject().put("forged", true));
        assertProblem(write, 403);
        assertThat(direct.get("/health").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void aHazelcastClient_thatKnowsOnlyTheNameShownByStatus_cannotJoin() {
    String members = specs.get(0).env().get("CLUSTER_MEMBERS");
    ClientConfig config = new ClientConfig();
    config.setClusterName(clusterLabel); // what `./suite status` prints: the label, not the secret name
    config.getNetworkConfig().addAddress(members.split(","));
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    assertThatThrownBy(() -> HazelcastClient.newHazelcastClient(config).shutdown())
        .isInstanceOf(IllegalStateException.class);
  }

  // --- HTTP itself ------------------------------------------------------------------------------------------

  @Test
  void anUnsupportedHttpVersion_is505() throws IOException {
    String response = exchange("GET /api/catalog/products HTTP/9.9\r\nHost: x\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 505 ").contains("application/problem+json");
  }

  @Test
  void headersTrickledPastTheHeadTimeout_get408_andTheConnectionCloses() throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void malformedFraming_is400() throws IOException {
    List<String> requests = List.of(
        "POST /api/catalog/products HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
        // with a key, so that the body is read (unauthenticated, the 401 is the answer, and then the close)
        "POST /api/catalog/products HTTP/1.1\r\nHost: x\r\nX-API-Key: " + API_KEY
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n",
        "GET /api/catalog/products HTTP/1.1\r\nHost: x\r\nX-Bad Header: 1\r\n\r\n",
        "GET /api/catalog/products HTTP/1.1\r\nHost: x\r\n Folded: continuation\r\n\r\n",
        "GET /api/catalog/products HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n");
    for (String request : requests) {
      assertThat(exchange(request)).as(request).startsWith("HTTP/1.1 400 ").contains("application/problem+json");
    }
  }

  /**
   * Both lengths, the shape of request smuggling: the gateway frames the request by {@code Transfer-Encoding}
   * alone (as RFC 9112 §6.1 allows) and sends the instance a request framed anew, so what follows the chunked
   * body is the next request on this connection, answered as such, and nothing rides along to an instance.
   */
  @Test
  void contentLengthWithChunked_isFramedByTheChunks_andSmugglesNothing() throws IOException {
    String smuggled = "GET /admin/services HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    String request = "POST /api/catalog/products HTTP/1.1\r\nHost: x\r\nContent-Length: " + (5 + smuggled.length())
        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled;
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answers.split("HTTP/1\\.1 ", -1)).as(answers).hasSize(3); // two responses, both refusals
      assertThat(answers).startsWith("HTTP/1.1 401 ").contains("GET /admin/services needs a credential");
    }
  }

  @Test
  void anUnknownMethod_addsNoMetricSeries() {
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> response = TestHttp.await(anonymous.request(HttpMethod.valueOf("HOSTILEX" + i), "/x" + i)
          .send());
      assertThat(response.statusCode()).isBetween(400, 499);
    }
    String metrics = anonymous.get("/metrics").bodyAsString();
    assertThat(metrics).doesNotContain("HOSTILEX", "/x1");
  }

  /**
   * After everything the other tests sent (all but the two that spend the gateway's credential budgets), each
   * service's {@code /metrics} is still Prometheus's text format and has the families that
   * infra/prometheus/rules use. Each body is saved as {@code target/metrics/<service>.prom}, where .ci/run checks it
   * with {@code promtool check metrics}.
   */
  @Test
  @Order(Integer.MAX_VALUE - 2)
  void afterAllThat_everyServicesMetrics_areWellFormed_andSavedForPromtool() throws IOException {
    Map<ServiceKind, List<String>> families = Map.of(
        ServiceKind.GATEWAY, List.of("gateway_requests_seconds_bucket", "gateway_circuit_breaker_state",
            "gateway_retry_budget_exhausted_total", "gateway_upstream_picks_total"),
        ServiceKind.CATALOG, List.of("cache_lookups_total", "cache_hit_ratio"),
        ServiceKind.CACHE, List.of("vertx_http_server_requests_total"));
    // A routed request of its own, so that the gateway's request and pick series exist when this test runs alone.
    assertThat(anonymous.get("/api/catalog/products?limit=1").statusCode()).isEqualTo(200);
    Path saved = Files.createDirectories(Path.of("target", "metrics"));
    for (Instance instance : fleet.instances()) {
      try (TestHttp direct = new TestHttp(instance.port())) {
        HttpResponse<Buffer> response = direct.get("/metrics");
        assertThat(response.statusCode()).as(instance.name()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).as(instance.name()).startsWith("text/plain");
        String body = response.bodyAsString();
        for (String family : families.get(instance.service())) {
          assertThat(body).as(instance.name()).containsPattern("(?m)^" + family + "[{ ]");
        }
        Files.writeString(saved.resolve(instance.service().module() + ".prom"), body);
      }
    }
  }

  @Test
  void bigBodiesOnGets_areRefusedSmall_whileTheGatewayServesOthers() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(25);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        answers.add(clients.submit((Callable<String>) () -> {
          try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /api/catalog/products HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + 10 * 1024 * 1024 + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[64 * 1024]); // and the rest never comes
            return statusLine(socket);
          }
        }));
      }
      for (Future<String> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS)).startsWith("HTTP/1.1 413 ");
      }
      assertThat(anonymous.get("/api/catalog/products?limit=1").statusCode()).isEqualTo(200);
    } finally {
      clients.shutdownNow();
    }
  }

  // --- paths, tokens and headers that try to pass for something else ------------------------------------------

  @Test
  void pathTricks_neverOpenTheAdminApi() throws IOException {
    for (String path : List.of("/admin/services", "//admin/services", "/admin/./services", "/x/../admin/services",
        "/%61dmin/services", "/admin%2Fservices", "/ADMIN/services", "/admin;x=1/services",
        "/api/catalog/../../admin/services", "/api/catalog/%2e%2e/%2e%2e/admin/services")) {
      String status = exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(status).as(path).doesNotStartWith("HTTP/1.1 2").doesNotStartWith("HTTP/1.1 5");
    }
  }

  /** Runs second to last: each forged token costs this address a refused credential. */
  @Test
  @Order(Integer.MAX_VALUE - 1)
  void forgedTokens_are401() {
    long exp = System.currentTimeMillis() / 1000 + 600;
    JsonObject claims = new JsonObject().put("sub", "forger").put("roles", new JsonArray().add("admin")).put("exp", exp);
    List<String> forged = List.of(
        unsigned(new JsonObject().put("alg", "none").put("typ", "JWT"), claims),
        hs256(claims, "not-the-gateway's-secret-at-all-0123456789"),
        hs256(claims.copy().put("exp", exp - 3_600), JWT_SECRET), // expired
        hs256(claims, JWT_SECRET).replaceFirst("^[^.]+", encode(new JsonObject().put("alg", "RS256"))),
        "not.a.token");
    for (String token : forged) {
      HttpResponse<Buffer> response = TestHttp.await(anonymous.request(HttpMethod.GET, "/admin/services")
          .putHeader("Authorization", "Bearer " + token).send());
      assertProblem(response, 401);
    }
  }

  @Test
  void malformedJson_is400() {
    for (String body : List.of("{", "[]", "{\"sku\":}", "nul", "{\"priceCents\": 1e999999}", "\"text\"",
        "{\"sku\":\"a\"}garbage")) {
      assertProblem(withKey.send(HttpMethod.POST, "/api/catalog/products", "application/json", Buffer.buffer(body)),
          400);
    }
  }

  @Test
  void injection_inEveryParameter_isData_neverSql() {
    String injection = URLEncoder.encode("' OR 1=1; DROP TABLE products; --", StandardCharsets.UTF_8);
    for (String path : List.of("/api/catalog/products?category=" + injection,
        "/api/catalog/products?q=" + injection, "/api/catalog/products?sort=" + injection,
        "/api/catalog/products?limit=" + injection, "/api/catalog/products?cursor=" + injection,
        "/api/catalog/products/" + injection, "/api/catalog/products?minPrice=" + injection,
        "/api/catalog/products?maxPrice=" + injection, "/api/catalog/products?inStock=" + injection)) {
      int status = anonymous.get(path).statusCode();
      assertThat(status).as(path).isIn(200, 400, 404);
    }
    assertThat(anonymous.get("/api/catalog/products?limit=1").statusCode()).isEqualTo(200); // the table is there
  }

  @Test
  void tamperedCursors_are400() {
    for (String cursor : List.of("AAAA", "not-base64!", Base64.getUrlEncoder().encodeToString("{}".getBytes()),
        Base64.getUrlEncoder().encodeToString("{\"s\":\"price\",\"v\":\"x\",\"i\":-1}".getBytes()))) {
      assertProblem(anonymous.get("/api/catalog/products?sort=name&cursor=" + cursor), 400);
    }
  }

  // --- one client cannot hurt the others ---------------------------------------------------------------------

  @Test
  void theSameIdempotencyKey_fromAnotherPrincipal_getsItsOwnAnswer() {
    String run = run();
    String key = "idem-" + UUID.randomUUID();
    HttpResponse<Buffer> first = TestHttp.await(withKey.request(HttpMethod.POST, "/api/catalog/products")
        .putHeader("Idempotency-Key", key).sendJsonObject(product(run, 1)));
    String token = hs256(new JsonObject().put("sub", "other-" + run).put("roles", new JsonArray().add("write"))
        .put("exp", System.currentTimeMillis() / 1000 + 600), JWT_SECRET);
    HttpResponse<Buffer> second = TestHttp.await(anonymous.request(HttpMethod.POST, "/api/catalog/products")
        .putHeader("Idempotency-Key", key).putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(product(run, 2)));
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(201);
    assertThat(second.bodyAsJsonObject().getString("sku")).isEqualTo(product(run, 2).getString("sku"));
    assertThat(listed(run)).hasSize(2);
  }

  @Test
  void eventStreams_replayingFromTheStart_areCappedPerClient() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < STREAMS_PER_CLIENT; i++) {
        Socket stream = connect();
        held.add(stream);
        stream.getOutputStream().write("GET /api/catalog/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        assertThat(statusLine(stream)).startsWith("HTTP/1.1 200 ");
      }
      HttpResponse<Buffer> refused = TestHttp.await(anonymous.request(HttpMethod.GET, "/api/catalog/events")
          .putHeader("Last-Event-ID", "0").send());
      assertProblem(refused, 429);
      assertThat(anonymous.get("/api/catalog/products?limit=1").statusCode()).isEqualTo(200);
    } finally {
      for (Socket stream : held) {
        stream.close();
      }
    }
  }

  /** Runs last: it spends this address's budget of refused credentials. */
  @Test
  @Order(Integer.MAX_VALUE)
  void guessingKeys_isRateLimitedPerAddress_whateverXForwardedForSays() {
    // The forged tokens above were refused credentials too: count down from what is left.
    int remaining = Integer.MAX_VALUE;
    for (int i = 0; remaining > 0; i++) {
      HttpResponse<Buffer> refused = TestHttp.await(anonymous.request(HttpMethod.GET, "/admin/services")
          .putHeader("X-API-Key", "guess-" + i + "-0123456789abcdef")
          .putHeader("X-Forwarded-For", "203.0.113." + i).send()); // a new address each time, it claims
      assertProblem(refused, 401);
      int left = Integer.parseInt(refused.getHeader("RateLimit-Remaining"));
      assertThat(left).isLessThan(remaining).isLessThan(AUTH_FAILURE_BURST);
      remaining = left;
    }
    HttpResponse<Buffer> locked = TestHttp.await(anonymous.request(HttpMethod.GET, "/admin/services")
        .putHeader("X-API-Key", API_KEY).putHeader("X-Forwarded-For", "198.51.100.7").send());
    assertProblem(locked, 429);
    assertThat(locked.getHeader("Retry-After")).isNotNull();
  }

  // --- helpers ----------------------------------------------------------------------------------------------

  private static void assertProblem(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getInteger("status")).isEqualTo(status);
  }

  private static String run() {
    return "HOSTILE-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonObject product(String run, int n) {
    return new JsonObject().put("sku", run + "-" + n).put("name", "hostile " + n).put("priceCents", 100)
        .put("currency", "EUR").put("stock", 1).put("category", run).put("attributes", new JsonObject());
  }

  private static List<Object> listed(String run) {
    return anonymous.get("/api/catalog/products?limit=100&category=" + run).bodyAsJsonObject()
        .getJsonArray("items").getList();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", gatewayPort);
    socket.setSoTimeout(15_000); // a missing answer fails the test instead of hanging it
    return socket;
  }

  /** Sends raw bytes on a new connection; everything the gateway answers until it closes or goes quiet. */
  private static String exchange(String request) throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return statusLine(socket) + "\n" + rest(socket);
    }
  }

  private static String statusLine(Socket socket) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = socket.getInputStream().read(); b >= 0 && b != '\n'; b = socket.getInputStream().read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII).strip();
  }

  /** The headers and whatever body has arrived (a problem is small and sent at once). */
  private static String rest(Socket socket) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    int read = socket.getInputStream().read(buffer);
    return read < 0 ? "" : new String(buffer, 0, read, StandardCharsets.UTF_8);
  }

  private static String encode(JsonObject json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String unsigned(JsonObject header, JsonObject claims) {
    return encode(header) + "." + encode(claims) + ".";
  }

  private static String hs256(JsonObject claims, String secret) {
    String signed = encode(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + encode(claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return signed + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
