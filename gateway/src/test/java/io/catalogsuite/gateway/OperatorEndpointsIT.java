package io.catalogsuite.gateway;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cache.CacheService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.http.BuildInfo;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator reads: {@code GET /info} on every service (here the gateway's own, and a cache-service
 * instance's through its route), and the gateway's effective configuration at {@code GET /admin/config}, which
 * shows no secret.
 */
class OperatorEndpointsIT {
  private static final String ADMIN_KEY = "admin-" + UUID.randomUUID();
  private static final String WRITER_KEY = "writer-" + UUID.randomUUID();
  private static final String GATEWAY_SECRET = "secret-" + UUID.randomUUID();
  private static String cluster;
  private static ServiceNode cache;
  private static ServiceNode gateway;
  private static TestHttp anonymous;
  private static TestHttp admin;

  @BeforeAll
  static void start() {
    cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    String keys = "ops:" + ADMIN_KEY + ":admin,app:" + WRITER_KEY + ":write";
    gateway = await(ServiceNode.start(
        TestNodes.config(GatewayService.NAME, cluster, "gw-operator").withGatewaySecret(GATEWAY_SECRET),
        new GatewayService(GatewayConfig.fromEnv(Map.of("GATEWAY_ROUTES", "/api/cache=cache-service")),
            ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", keys, "JWT_HS256_SECRET", "jwt-" + GATEWAY_SECRET)))));
    anonymous = new TestHttp(gateway.port());
    admin = new TestHttp(gateway.port(), Map.of("X-API-Key", ADMIN_KEY));
    TestGateway.awaitInstances(admin, CacheService.NAME, 1);
  }

  @AfterAll
  static void stop() {
    anonymous.close();
    admin.close();
    await(gateway.stop());
    await(cache.stop());
  }

  @Test
  void info_saysWhatRuns() {
    JsonObject info = anonymous.get("/info").bodyAsJsonObject();
    assertThat(info.getString("service")).isEqualTo(GatewayService.NAME);
    assertThat(info.getString("instanceId")).isEqualTo("gw-operator");
    assertThat(info.getString("version")).isEqualTo(BuildInfo.CURRENT.version()).isNotEqualTo("unknown");
    assertThat(info.getString("commit")).matches("[0-9a-f]{40}"); // built from this repository's history
    assertThat(info.getString("buildTime")).isNotBlank();
    assertThat(info.getJsonObject("java").getString("version")).isEqualTo(Runtime.version().toString());
    assertThat(info.getLong("uptimeSeconds")).isNotNegative();

    JsonObject instance = anonymous.get("/api/cache/info").bodyAsJsonObject(); // an instance's, through its route
    assertThat(instance.getString("service")).isEqualTo(CacheService.NAME);
    assertThat(instance.getString("commit")).isEqualTo(info.getString("commit"));
  }

  @Test
  void config_showsWhatIsInForce_andNoSecret() {
    var response = admin.get("/admin/config");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject config = response.bodyAsJsonObject();
    assertThat(config.getJsonObject("gateway").getJsonObject("routes").getJsonObject("/api/cache")
        .getString("service")).isEqualTo("cache-service");
    assertThat(config.getJsonObject("node").getString("instanceId")).isEqualTo("gw-operator");
    assertThat(config.getJsonObject("protection").getJsonArray("apiKeys").getJsonObject(0).getString("name"))
        .isEqualTo("ops");
    assertThat(config.getJsonObject("protection").getJsonArray("authRules")).contains("* /admin/**=admin");
    assertThat(response.bodyAsString()).doesNotContain(ADMIN_KEY, WRITER_KEY, GATEWAY_SECRET, cluster);

    assertProblem(anonymous.get("/admin/config"), 401);
    assertProblem(await(new TestHttp(gateway.port(), Map.of("X-API-Key", WRITER_KEY))
        .request(HttpMethod.GET, "/admin/config").send()), 403);
  }
}
