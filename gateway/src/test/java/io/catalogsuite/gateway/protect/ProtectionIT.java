package io.catalogsuite.gateway.protect;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.discovery.ServiceRecords;
import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.GatewayService;
import io.catalogsuite.testing.CapturedLogs;
import io.catalogsuite.testing.ProblemAssertions;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real gateways in one cluster, protected as configured from the environment, in front of a real HTTP echo
 * server published in discovery: authentication per route and method (API keys, HS256 and RS256 tokens signed
 * here with java.security), rate limits with their headers, and one budget shared by both gateways.
 */
class ProtectionIT {
  private static final String WRITER_KEY = "writer-" + UUID.randomUUID();
  private static final String ADMIN_KEY = "admin-" + UUID.randomUUID();
  private static final String READER_KEY = "reader-" + UUID.randomUUID();
  private static final String LIMITED_KEY = "limited-" + UUID.randomUUID();
  private static final String HS256_SECRET = "hs256-secret-" + UUID.randomUUID();
  private static final String ISSUER = "https://issuer.test";
  private static final String AUDIENCE = "catalog-suite-test";
  private static final long POLL_MS = 25;
  private static final GatewayConfig GATEWAY = GatewayConfig.fromEnv(Map.of(
      "GATEWAY_ROUTES",
      "/api/echo=echo-service,/api/limited=echo-service,/api/shared=echo-service,/api/cache=echo-service",
      "UPSTREAM_TIMEOUT_MS", "5000", "HEALTH_PROBE_INTERVAL_MS", "100"));

  private static KeyPair rsa;
  private static CapturedLogs logs;
  private static ServiceNode cache;
  private static ServiceNode gatewayA;
  private static ServiceNode gatewayB;
  /** Allows 3 refused credentials per address, then one every 20 s. */
  private static ServiceNode gatewayC;
  private static TestHttp httpA;
  private static TestHttp httpB;
  private static Vertx stubs;
  /** Every token and key these tests present, valid or not: none may appear in a log line. */
  private static final List<String> presented = new ArrayList<>();

  @BeforeAll
  static void start() throws GeneralSecurityException {
    logs = CapturedLogs.all();

    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    rsa = generator.generateKeyPair();
    Map<String, String> env = Map.of(
        "GATEWAY_API_KEYS", "writer:" + WRITER_KEY + ":write, admin:" + ADMIN_KEY + ":admin|write, reader:"
            + READER_KEY + ":, limited:" + LIMITED_KEY + ":write",
        "JWT_HS256_SECRET", HS256_SECRET,
        "JWT_RS256_PUBLIC_KEY", pem(rsa.getPublic().getEncoded()),
        "JWT_ISSUER", ISSUER,
        "JWT_AUDIENCE", AUDIENCE,
        "RATE_LIMITS", "/api/limited=2/s:2,/api/shared=1/m:100",
        "RATE_LIMIT_SCOPE", "cluster",
        "RATE_LIMIT_SYNC_MS", "100",
        "AUTH_FAILURE_LIMIT", "1000/s:1000"); // the tests refuse many credentials; gatewayC has a strict limit
    presented.addAll(List.of(WRITER_KEY, ADMIN_KEY, READER_KEY, LIMITED_KEY, HS256_SECRET));

    String cluster = TestNodes.uniqueClusterName();
    cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster),
        new CacheService(CacheConfig.fromEnv(Map.of())))); // holds the cluster's data, the shared budgets too
    gatewayA = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gateway-a"),
        new GatewayService(GATEWAY, ProtectionConfig.fromEnv(env))));
    gatewayB = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gateway-b"),
        new GatewayService(GATEWAY, ProtectionConfig.fromEnv(env))));
    Map<String, String> strict = new java.util.HashMap<>(env);
    strict.put("AUTH_FAILURE_LIMIT", "3/m:3");
    gatewayC = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gateway-c"),
        new GatewayService(GATEWAY, ProtectionConfig.fromEnv(strict))));
    httpA = new TestHttp(gatewayA.port());
    httpB = new TestHttp(gatewayB.port());

    stubs = Vertx.vertx();
    HttpServer echo = await(stubs.createHttpServer().requestHandler(req -> req.body().onSuccess(body ->
        req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
            .put("method", req.method().name()).put("uri", req.uri())
            .put("apiKey", req.getHeader("X-API-Key")).put("authorization", req.getHeader("Authorization"))
            .put("principal", req.getHeader("X-Principal"))
            .encode()))).listen(0, "127.0.0.1"));
    await(gatewayA.discovery().publish(ServiceRecords.httpEndpoint("echo-service", "echo-1", gatewayA.nodeId(),
        "127.0.0.1", echo.actualPort(), 1)));
    for (TestHttp http : List.of(httpA, httpB)) {
      Waits.until("the echo instance at both gateways", Duration.ofSeconds(10),
          () -> admin(http).statusCode() == 200 && !admin(http).bodyAsJsonObject().getJsonObject("services")
              .getJsonObject("echo-service").getJsonArray("instances").isEmpty());
    }
  }

  @AfterAll
  static void stop() {
    logs.close();
    httpA.close();
    httpB.close();
    await(stubs.close());
    await(gatewayC.stop());
    await(gatewayB.stop());
    await(gatewayA.stop());
    await(cache.stop());
  }

  private static HttpResponse<Buffer> admin(TestHttp http) {
    return await(http.request(HttpMethod.GET, "/admin/services").putHeader("X-API-Key", ADMIN_KEY).send());
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String header, String value) {
    HttpRequest<Buffer> request = httpA.request(method, path);
    if (header != null) {
      request.putHeader(header, value);
    }
    return await(request.sendJsonObject(new JsonObject().put("k", "v")));
  }

  private static HttpResponse<Buffer> withKey(HttpMethod method, String path, String key) {
    return send(method, path, "X-API-Key", key);
  }

  private static HttpResponse<Buffer> withToken(HttpMethod method, String path, String token) {
    presented.add(token);
    return send(method, path, "Authorization", "Bearer " + token);
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status) {
    ProblemAssertions.assertProblem(response, status);
    presented.forEach(secret -> assertThat(response.bodyAsString()).doesNotContain(secret));
  }

  // ---- authentication per route and method

  @Test
  void anonymous_readsPass_writesAndAdmin_401WithChallenge() {
    assertThat(send(HttpMethod.GET, "/api/echo/items", null, null).statusCode()).isEqualTo(200);
    assertThat(send(HttpMethod.HEAD, "/api/echo/items", null, null).statusCode()).isEqualTo(200);
    for (HttpMethod write : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
      HttpResponse<Buffer> response = send(write, "/api/echo/items", null, null);
      assertProblem(response, 401);
      assertThat(response.getHeader("WWW-Authenticate"))
          .isEqualTo("ApiKey realm=\"catalog-suite\", header=\"X-API-Key\", Bearer realm=\"catalog-suite\"");
    }
    assertProblem(send(HttpMethod.GET, "/admin/services", null, null), 401);
  }

  /**
   * Refused credentials cost the address a token each, and the 401 says how many are left; without tokens, any
   * credential gets a 429 before it is checked (a valid one too), so that keys cannot be guessed at full speed.
   */
  @Test
  void failedAuthentications_limitedPerAddress() {
    try (TestHttp http = new TestHttp(gatewayC.port())) {
      Waits.until("the echo instance at gateway C", Duration.ofSeconds(10), () -> !await(http.request(
          HttpMethod.GET, "/admin/services").putHeader("X-API-Key", ADMIN_KEY).send()).bodyAsJsonObject()
          .getJsonObject("services").getJsonObject("echo-service").getJsonArray("instances").isEmpty());
      for (int left = 2; left >= 0; left--) {
        HttpResponse<Buffer> refused = await(http.request(HttpMethod.GET, "/api/echo/items")
            .putHeader("X-API-Key", "guess-" + left).send());
        assertProblem(refused, 401);
        assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("3");
        assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo(Integer.toString(left));
      }
      for (String key : List.of("guess-again", WRITER_KEY)) {
        HttpResponse<Buffer> limited = await(http.request(HttpMethod.GET, "/api/echo/items")
            .putHeader("X-API-Key", key).send());
        assertProblem(limited, 429);
        assertThat(Long.parseLong(limited.getHeader("Retry-After"))).isBetween(1L, 20L);
      }
      // A request without a credential guesses nothing: it still passes where the policy allows it.
      assertThat(await(http.request(HttpMethod.GET, "/api/echo/items").send()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void apiKey_rolesDecide_200or403_badKey401() {
    assertThat(withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY).statusCode()).isEqualTo(200);
    assertThat(withKey(HttpMethod.DELETE, "/api/echo/items/1", ADMIN_KEY).statusCode()).isEqualTo(200);
    assertThat(withKey(HttpMethod.GET, "/api/echo/items", READER_KEY).statusCode()).isEqualTo(200);
    assertProblem(withKey(HttpMethod.POST, "/api/echo/items", READER_KEY), 403);
    assertProblem(withKey(HttpMethod.GET, "/admin/services", WRITER_KEY), 403);
    assertThat(withKey(HttpMethod.GET, "/admin/services", ADMIN_KEY).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> badKey = withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY + "x");
    assertProblem(badKey, 401);
    assertThat(badKey.getHeader("WWW-Authenticate")).startsWith("ApiKey realm=\"catalog-suite\"");
    // A bad key is refused on a public route too: the client learns at once that its key is wrong.
    assertProblem(withKey(HttpMethod.GET, "/api/echo/items", "not-a-valid-key-at-all"), 401);
    // API keys are not bearer tokens.
    assertProblem(withToken(HttpMethod.POST, "/api/echo/items", WRITER_KEY), 401);
  }

  /** Defining a cache map is an admin's act; writing a map's entries is a writer's. */
  @Test
  void definingACacheMap_needsAdmin() {
    assertProblem(withKey(HttpMethod.PUT, "/api/cache/maps/sessions", WRITER_KEY), 403);
    assertThat(withKey(HttpMethod.PUT, "/api/cache/maps/sessions", ADMIN_KEY).statusCode()).isEqualTo(200);
    assertThat(withKey(HttpMethod.PUT, "/api/cache/maps/sessions/entries/k", WRITER_KEY).statusCode())
        .isEqualTo(200);
  }

  /** Instances learn who the client is from the gateway alone: a client's own X-Principal never gets through. */
  @Test
  void principal_toldUpstreamByTheGateway_neverByTheClient() {
    assertThat(withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY).bodyAsJsonObject().getString("principal"))
        .isEqualTo("writer");
    HttpResponse<Buffer> forged = await(httpA.request(HttpMethod.POST, "/api/echo/items")
        .putHeader("X-API-Key", WRITER_KEY).putHeader("X-Principal", "admin").sendJsonObject(new JsonObject()));
    assertThat(forged.bodyAsJsonObject().getString("principal")).isEqualTo("writer");
    HttpResponse<Buffer> anonymous = await(httpA.request(HttpMethod.GET, "/api/echo/items")
        .putHeader("X-Principal", "admin").send());
    assertThat(anonymous.bodyAsJsonObject().getString("principal")).isNull();
  }

  @Test
  void apiKey_notForwardedUpstream_bearerTokenIs() {
    JsonObject seen = withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY).bodyAsJsonObject();
    assertThat(seen.getString("apiKey")).isNull();
    String token = hs256(claims("alice", List.of("write")));
    assertThat(withToken(HttpMethod.POST, "/api/echo/items", token).bodyAsJsonObject().getString("authorization"))
        .isEqualTo("Bearer " + token);
  }

  @Test
  void bothCredentials_401() {
    HttpRequest<Buffer> request = httpA.request(HttpMethod.POST, "/api/echo/items")
        .putHeader("X-API-Key", WRITER_KEY)
        .putHeader("Authorization", "Bearer " + hs256(claims("alice", List.of("write"))));
    assertProblem(await(request.send()), 401);
  }

  @Test
  void hs256Token_rolesFromClaim() {
    assertThat(withToken(HttpMethod.POST, "/api/echo/items", hs256(claims("alice", List.of("write"))))
        .statusCode()).isEqualTo(200);
    assertProblem(withToken(HttpMethod.POST, "/api/echo/items", hs256(claims("bob", List.of("read")))), 403);
    assertThat(withToken(HttpMethod.GET, "/admin/services", hs256(claims("root", List.of("admin"))))
        .statusCode()).isEqualTo(200);
    // Roles as one space-separated string, as in OAuth scopes.
    assertThat(withToken(HttpMethod.PUT, "/api/echo/items/1", hs256(claims("carol", List.of())
        .put("roles", "read write"))).statusCode()).isEqualTo(200);
  }

  @Test
  void invalidTokens_401_invalidToken() {
    long now = Instant.now().getEpochSecond();
    List<String> invalid = List.of(
        hs256(claims("alice", List.of("write")).put("exp", now - 3600)),             // expired
        hs256(claims("alice", List.of("write")).put("nbf", now + 3600)),             // not yet valid
        hs256(claims("alice", List.of("write")).put("iss", "https://other.test")),   // wrong issuer
        hs256(claims("alice", List.of("write")).put("aud", "someone-else")),         // wrong audience
        hs256(claims("alice", List.of("write")).putNull("exp")),                     // never expires
        hs256(claims(null, List.of("write"))),                                        // no subject
        sign("HS256", claims("alice", List.of("write")), "another-secret-of-at-least-32-bytes"),
        "not.a.jwt");
    for (String token : invalid) {
      HttpResponse<Buffer> response = withToken(HttpMethod.POST, "/api/echo/items", token);
      assertProblem(response, 401);
      assertThat(response.getHeader("WWW-Authenticate")).endsWith("error=\"invalid_token\"");
    }
  }

  @Test
  void rs256Token_verifiedWithThePublicKey() throws GeneralSecurityException {
    JsonObject claims = claims("dave", List.of("write"));
    assertThat(withToken(HttpMethod.POST, "/api/echo/items", rs256(claims, rsa.getPrivate())).statusCode())
        .isEqualTo(200);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    assertProblem(withToken(HttpMethod.POST, "/api/echo/items", rs256(claims, generator.generateKeyPair()
        .getPrivate())), 401);
    assertProblem(withToken(HttpMethod.POST, "/api/echo/items", rs256(claims.copy().put("exp",
        Instant.now().getEpochSecond() - 60), rsa.getPrivate())), 401);
    // The public key is public: a token "signed" with it as an HS256 secret must not pass.
    assertProblem(withToken(HttpMethod.POST, "/api/echo/items", sign("HS256", claims,
        pem(rsa.getPublic().getEncoded()))), 401);
  }

  // ---- rate limits

  @Test
  void rateLimit_headers_429WithRetryAfter_thenRefilled() {
    HttpResponse<Buffer> first = withKey(HttpMethod.GET, "/api/limited/x", LIMITED_KEY);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.getHeader("RateLimit-Limit")).isEqualTo("2");
    assertThat(first.getHeader("RateLimit-Remaining")).isEqualTo("1");
    assertThat(first.getHeader("RateLimit-Reset")).isEqualTo("1");

    HttpResponse<Buffer> refused = null;
    for (int i = 0; i < 10 && refused == null; i++) { // 2 per second: refused by the third, unless time passes
      HttpResponse<Buffer> response = withKey(HttpMethod.GET, "/api/limited/x", LIMITED_KEY);
      refused = response.statusCode() == 429 ? response : null;
    }
    assertThat(refused).as("a 429 within 10 requests").isNotNull();
    assertProblem(refused, 429);
    assertThat(refused.getHeader("Retry-After")).isEqualTo("1");
    assertThat(refused.getHeader("RateLimit-Remaining")).isEqualTo("0");
    assertThat(refused.getHeader("RateLimit-Limit")).isEqualTo("2");
    assertThat(io.catalogsuite.testing.PrometheusText.sample(httpA.get("/metrics").bodyAsString(),
        "gateway_rate_limited_total", "route=\"/api/limited\"")).isGreaterThanOrEqualTo(1);
    // Another client has its own budget on the same route.
    assertThat(withKey(HttpMethod.GET, "/api/limited/x", WRITER_KEY).statusCode()).isEqualTo(200);

    Waits.until("a token flows back", Duration.ofSeconds(5),
        () -> withKey(HttpMethod.GET, "/api/limited/x", LIMITED_KEY).statusCode() == 200);
  }

  @Test
  void defaultLimit_generous_onEveryResponse() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/api/echo/items", null, null);
    assertThat(response.getHeader("RateLimit-Limit")).isEqualTo("400");
    assertThat(Integer.parseInt(response.getHeader("RateLimit-Remaining"))).isBetween(300, 399);
  }

  @Test
  void clusterScope_bothGatewaysShareOneBudget() throws InterruptedException {
    int burst = 100;
    for (int i = 0; i < burst; i++) {
      assertThat(httpA.get("/api/shared/x").statusCode()).isEqualTo(200);
    }
    assertThat(httpA.get("/api/shared/x").statusCode()).isEqualTo(429);
    // Gateway B has a full bucket of its own for this client until it learns of A's 100 requests.
    int admittedByB = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    HttpResponse<Buffer> response = httpB.get("/api/shared/x");
    while (response.statusCode() == 200 && System.nanoTime() < deadline) {
      admittedByB++;
      Thread.sleep(POLL_MS); // the poll interval: 50 polls take far longer than the 100 ms sync interval
      response = httpB.get("/api/shared/x");
    }
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(admittedByB).as("requests B let through before it knew").isLessThan(burst / 2);
  }

  // ---- secrets

  @Test
  void secrets_neverLogged() {
    withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY + "-wrong");
    presented.add(WRITER_KEY + "-wrong");
    withToken(HttpMethod.POST, "/api/echo/items", hs256(claims("eve", List.of("write")).put("exp", 1)));
    withKey(HttpMethod.POST, "/api/echo/items", WRITER_KEY);

    List<String> lines = logs.lines();
    assertThat(lines).anyMatch(line -> line.startsWith("Protection: API keys [writer, admin, reader, limited]"));
    for (String secret : List.copyOf(presented)) {
      assertThat(lines).noneMatch(line -> line.contains(secret));
    }
  }

  // ---- tokens, signed here

  private static JsonObject claims(String subject, List<String> roles) {
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject().put("iss", ISSUER).put("aud", AUDIENCE).put("iat", now)
        .put("exp", now + 300).put("roles", new JsonArray(roles));
    return subject == null ? claims : claims.put("sub", subject);
  }

  private static String hs256(JsonObject claims) {
    return sign("HS256", claims, HS256_SECRET);
  }

  private static String sign(String alg, JsonObject claims, String secret) {
    String input = signingInput(alg, claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + base64Url(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rs256(JsonObject claims, PrivateKey key) throws GeneralSecurityException {
    String input = signingInput("RS256", claims);
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(key);
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + base64Url(signature.sign());
  }

  private static String signingInput(String alg, JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
    return base64Url(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + base64Url(claims.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String pem(byte[] publicKey) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(publicKey)
        + "\n-----END PUBLIC KEY-----\n";
  }
}
