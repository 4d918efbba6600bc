package io.catalogsuite.gateway;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code GATEWAY_SECRET}, an instance serves the gateway only: whoever reaches its port directly gets a 403
 * (health, readiness and metrics stay open), and a forged or replayed-late signature is refused too.
 */
class GatewayIdentityIT {
  private static final String SECRET = UUID.randomUUID() + "-" + UUID.randomUUID();
  private static final String API_KEY = "identity-it-" + UUID.randomUUID();

  private static ServiceNode cache;
  private static ServiceNode catalog;
  private static ServiceNode gateway;
  private static TestHttp direct;
  private static TestHttp through;

  @BeforeAll
  static void start() {
    String cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    CatalogConfig catalogConfig = new CatalogConfig(CatalogConfig.database(TestPostgres.createDatabase()), 4,
        SharedCacheConfig.withMissingTtl(5), NearCacheConfig.defaults(), EventsConfig.defaults(),
        ImportConfig.defaults(), IdempotencyConfig.defaults());
    catalog = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-signed")
        .withGatewaySecret(SECRET), new CatalogService(catalogConfig)));
    gateway = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gw-signed")
        .withGatewaySecret(SECRET), new GatewayService(GatewayConfig.fromEnv(Map.of()),
        ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", "identity:" + API_KEY + ":admin|write")))));
    direct = new TestHttp(catalog.port());
    through = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY));
    through.awaitResponse("/api/catalog/health", response -> response.statusCode() == 200,
        java.time.Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    direct.close();
    through.close();
    await(gateway.stop());
    await(catalog.stop());
    await(cache.stop());
  }

  @Test
  void throughTheGateway_served() {
    HttpResponse<Buffer> created = through.post("/api/catalog/products", product());
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(through.get("/api/catalog/products/" + created.bodyAsJsonObject().getLong("id")).statusCode())
        .isEqualTo(200);
  }

  @Test
  void straightToTheInstance_403_exceptItsOpenEndpoints() {
    for (HttpResponse<Buffer> refused : new HttpResponse[] {direct.post("/products", product()),
        direct.get("/products?limit=1"), direct.get("/events")}) {
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
    assertThat(direct.get("/health").statusCode()).isEqualTo(200);
    assertThat(direct.get("/ready").statusCode()).isEqualTo(200);
    assertThat(direct.get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void forgedSignature_403() {
    String forged = "t=" + System.currentTimeMillis() / 1000 + ";s=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    HttpResponse<Buffer> refused = await(direct.request(HttpMethod.GET, "/products?limit=1")
        .putHeader(GatewayIdentity.HEADER, forged).send());
    assertThat(refused.statusCode()).isEqualTo(403);
  }

  private static JsonObject product() {
    return new JsonObject().put("sku", "SIGNED-" + UUID.randomUUID().toString().substring(0, 8)).put("name", "Signed")
        .put("category", "identity").put("priceCents", 100).put("currency", "EUR").put("stock", 1);
  }
}
