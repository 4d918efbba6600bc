package io.catalogsuite.gateway;

import static io.catalogsuite.testing.TestHttp.await;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cache.CacheService;
import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.ContractResponses;
import io.catalogsuite.testing.ContractRoutes;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The gateway's OpenAPI document, as it serves it at /openapi.json: its own routes and operations match both ways;
 * under each route's prefix are exactly the operations of the service's document, as its instances serve it; every
 * operation of the gateway's own, and a sample of the services' through the gateway (their refusals by the gateway
 * included), answers as the document says. A real gateway, catalog-service and cache-service members with one
 * gateway secret, on Postgres. The served documents are saved to target/openapi/, where .ci/run lints them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayContractIT {
  private static final String ADMIN_KEY = "admin-" + UUID.randomUUID();
  private static final String READER_KEY = "reader-" + UUID.randomUUID();
  private static final String GATEWAY_SECRET = "secret-" + UUID.randomUUID();
  /** The gateway's routes the document leaves out, and why. */
  private static final Map<String, String> UNDOCUMENTED = Map.of(
      "* /admin/*", "the authentication and rate limit of every /admin operation, each documented",
      "GET /admin/dashboard/assets/*", "the dashboard page's script and style, not an API",
      "GET /admin/dashboard/uplot/*", "uPlot's files for the dashboard page, not an API",
      "GET /docs/assets/*", "the docs page's script, not an API",
      "GET /docs/swagger-ui/*", "Swagger UI's files for the docs page, not an API",
      "* /api/catalog/*", "the proxy to catalog-service: its document's operations, under the prefix",
      "* /api/cache/*", "the proxy to cache-service: its document's operations, under the prefix");
  private static ServiceNode cache;
  private static ServiceNode catalog;
  private static ServiceNode gateway;
  private static TestHttp anonymous;
  private static TestHttp admin;
  private static TestHttp reader;
  private static JsonObject document;
  private static ContractResponses contract;

  @BeforeAll
  static void start() {
    String cluster = TestNodes.uniqueClusterName();
    cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster, "cache-contract")
        .withGatewaySecret(GATEWAY_SECRET), new CacheService(io.catalogsuite.cache.CacheConfig.fromEnv(Map.of()))));
    CatalogConfig catalogConfig = new CatalogConfig(CatalogConfig.database(TestPostgres.createDatabase()), 4,
        SharedCacheConfig.withMissingTtl(5), NearCacheConfig.defaults(), EventsConfig.defaults(),
        ImportConfig.defaults(), IdempotencyConfig.defaults());
    catalog = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-contract")
        .withGatewaySecret(GATEWAY_SECRET), new CatalogService(catalogConfig)));
    String keys = "ops:" + ADMIN_KEY + ":admin|write,reader:" + READER_KEY + ":";
    gateway = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gw-contract")
        .withGatewaySecret(GATEWAY_SECRET), new GatewayService(GatewayConfig.fromEnv(Map.of()),
        ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", keys)))));
    anonymous = new TestHttp(gateway.port());
    admin = new TestHttp(gateway.port(), Map.of("X-API-Key", ADMIN_KEY));
    reader = new TestHttp(gateway.port(), Map.of("X-API-Key", READER_KEY));
    TestGateway.awaitInstances(admin, CatalogService.NAME, 1);
    TestGateway.awaitInstances(admin, CacheService.NAME, 1);
    HttpResponse<Buffer> served = anonymous.get("/openapi.json");
    assertThat(served.statusCode()).isEqualTo(200);
    document = served.bodyAsJsonObject();
    contract = ContractResponses.of(document);
    save("gateway", document);
    save(CatalogService.NAME, instanceDocument(catalog));
    save(CacheService.NAME, instanceDocument(cache));
  }

  @AfterAll
  static void stop() {
    contract.close();
    anonymous.close();
    admin.close();
    reader.close();
    await(gateway.stop());
    await(catalog.stop());
    await(cache.stop());
  }

  /** An instance's own document, as it serves it to the gateway. */
  private static JsonObject instanceDocument(ServiceNode instance) {
    try (TestHttp signed = TestHttp.asGateway(instance.port(), GATEWAY_SECRET)) {
      HttpResponse<Buffer> served = signed.get("/openapi.json");
      assertThat(served.statusCode()).isEqualTo(200);
      return served.bodyAsJsonObject();
    }
  }

  private static void save(String name, JsonObject served) {
    try {
      Path saved = Path.of("target", "openapi");
      Files.createDirectories(saved);
      Files.writeString(saved.resolve(name + ".json"), served.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse<Buffer> checked(HttpMethod method, String path, HttpResponse<Buffer> response) {
    return contract.check(method, path, response);
  }

  @Test
  @Order(1)
  void everyRoute_isAnOperation_andEveryOperationARoute() {
    JsonObject own = document.copy();
    own.put("paths", new JsonObject(document.getJsonObject("paths").getMap().entrySet().stream()
        .filter(path -> !path.getKey().startsWith("/api/"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
    ContractRoutes.assertMatch(gateway.router(gateway.vertx()), own, UNDOCUMENTED);
  }

  @Test
  @Order(2)
  void underEachPrefix_areTheServicesOperations_asItsInstancesServeThem() {
    Map<String, ServiceNode> routed = Map.of("/api/catalog", catalog, "/api/cache", cache);
    Set<String> underPrefixes = new TreeSet<>();
    routed.forEach((prefix, instance) -> ContractRoutes.operations(instanceDocument(instance)).forEach(operation -> {
      String[] methodAndPath = operation.split(" ", 2);
      underPrefixes.add(methodAndPath[0] + " " + prefix + methodAndPath[1]);
    }));
    Set<String> documented = ContractRoutes.operations(document).stream()
        .filter(operation -> operation.contains(" /api/")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(underPrefixes);
    JsonObject create = document.getJsonObject("paths").getJsonObject("/api/catalog/products").getJsonObject("post");
    assertThat(create.getString("operationId")).isEqualTo("catalog-service.createProduct");
    assertThat(create.getJsonArray("security").encode())
        .isEqualTo("[{\"apiKey\":[\"write\",\"admin\"]},{\"bearerJwt\":[\"write\",\"admin\"]}]");
    assertThat(document.getJsonObject("paths").getJsonObject("/api/catalog/products").getJsonObject("get")
        .getJsonArray("security")).isEmpty();
    assertThat(document.getJsonObject("components").getJsonObject("securitySchemes").fieldNames())
        .containsExactlyInAnyOrder("apiKey", "bearerJwt");
  }

  @Test
  @Order(3)
  void adminOperations_answerAsDocumented() {
    assertThat(checked(GET, "/admin/services", admin.get("/admin/services")).statusCode()).isEqualTo(200);
    assertThat(checked(GET, "/admin/services", anonymous.get("/admin/services")).statusCode()).isEqualTo(401);
    assertThat(checked(GET, "/admin/services", reader.get("/admin/services")).statusCode()).isEqualTo(403);
    assertThat(checked(GET, "/admin/config", admin.get("/admin/config")).statusCode()).isEqualTo(200);

    String instance = "/admin/services/cache-service/instances/cache-contract";
    for (String action : new String[] {"/drain", "/eject", "/restore"}) {
      assertThat(checked(POST, instance + action, await(admin.request(POST, instance + action).send()))
          .statusCode()).isEqualTo(200);
    }
    String unknown = "/admin/services/cache-service/instances/nobody/drain";
    assertThat(checked(POST, unknown, await(admin.request(POST, unknown).send())).statusCode()).isEqualTo(404);
    String weight = instance + "/weight";
    assertThat(checked(PUT, weight, admin.put(weight, new JsonObject().put("weight", 3))).statusCode())
        .isEqualTo(200);
    assertThat(checked(PUT, weight, admin.put(weight, new JsonObject().put("weight", 0))).statusCode())
        .isEqualTo(400);
    assertThat(checked(DELETE, weight, admin.delete(weight)).statusCode()).isEqualTo(200);
    String reset = "/admin/services/cache-service/breaker/reset";
    assertThat(checked(POST, reset, await(admin.request(POST, reset).send())).statusCode()).isEqualTo(200);
    String noService = "/admin/services/ghost-service/breaker/reset";
    assertThat(checked(POST, noService, await(admin.request(POST, noService).send())).statusCode())
        .isEqualTo(404);

    String url = "http://127.0.0.1:" + gateway.port() + "/admin/dashboard/stream";
    try (EventStreamClient stream = EventStreamClient.open(url, Map.of("X-API-Key", ADMIN_KEY))) {
      contract.check(GET, "/admin/dashboard/stream", stream.status(),
          MultiMap.caseInsensitiveMultiMap().add("Content-Type", stream.header("Content-Type")), null);
      assertThat(stream.status()).isEqualTo(200);
    }
  }

  @Test
  @Order(4)
  void pagesAndNodeEndpoints_answerAsDocumented_withoutACredential() {
    List<String> open = new ArrayList<>(List.of("/admin/dashboard", "/docs"));
    open.addAll(ContractRoutes.nodePaths());
    for (String path : open) {
      assertThat(checked(GET, path, anonymous.get(path)).statusCode()).as(path).isEqualTo(200);
    }
    HttpResponse<Buffer> page = anonymous.get("/docs");
    assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'");
    for (String file : new String[] {"/docs/assets/docs.js", "/docs/swagger-ui/swagger-ui-bundle.js",
        "/docs/swagger-ui/swagger-ui.css"}) {
      assertThat(anonymous.get(file).statusCode()).as(file).isEqualTo(200);
      assertThat(page.bodyAsString()).contains(file);
    }
  }

  @Test
  @Order(5)
  void servicesThroughTheGateway_answerAsDocumented() {
    JsonObject product = new JsonObject().put("sku", "SKU-" + UUID.randomUUID()).put("name", "Desk lamp")
        .put("category", "contract").put("priceCents", 1999).put("currency", "EUR").put("stock", 5);
    assertThat(checked(POST, "/api/catalog/products", anonymous.post("/api/catalog/products", product))
        .statusCode()).isEqualTo(401);
    HttpResponse<Buffer> created = checked(POST, "/api/catalog/products", admin.post("/api/catalog/products",
        product));
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.getHeader("Location")).startsWith("/api/catalog/products/");
    assertThat(checked(GET, created.getHeader("Location"), anonymous.get(created.getHeader("Location")))
        .statusCode()).isEqualTo(200);
    assertThat(checked(GET, "/api/catalog/products?limit=1", anonymous.get("/api/catalog/products?limit=1"))
        .statusCode()).isEqualTo(200);
    assertThat(checked(POST, "/api/catalog/products", admin.post("/api/catalog/products", new JsonObject()))
        .statusCode()).isEqualTo(400);
    String entry = "/api/cache/maps/shared/entries/k-" + UUID.randomUUID();
    assertThat(checked(PUT, entry, admin.put(entry, new JsonObject().put("a", 1))).statusCode()).isEqualTo(201);
    assertThat(checked(GET, entry, anonymous.get(entry)).statusCode()).isEqualTo(200);
    assertThat(checked(PUT, "/api/cache/maps/other", reader.put("/api/cache/maps/other", new JsonObject()))
        .statusCode()).isEqualTo(403);
    assertThat(checked(GET, "/api/catalog/openapi.json", anonymous.get("/api/catalog/openapi.json"))
        .statusCode()).isEqualTo(200);
  }

  @Test
  @Order(6)
  void everyOperationOfTheGateway_wasChecked() {
    // The services' own operations are each checked by their service's contract test.
    assertThat(contract.unchecked().stream().filter(operation -> !operation.contains(".")).toList()).isEmpty();
  }

  /** The docs page in a real browser: Swagger UI, from the gateway's jar alone, lists every documented operation. */
  @Test
  @Order(7)
  void docsPage_inABrowser_showsEveryOperation() {
    Set<String> documented = ContractRoutes.operations(document);
    ChromeDriver browser = HeadlessChromium.open("GatewayContractIT's docs page test");
    try {
      browser.get("http://127.0.0.1:" + gateway.port() + "/docs");
      By operation = By.cssSelector(".opblock");
      new WebDriverWait(browser, Duration.ofSeconds(30))
          .until(page -> page.findElements(operation).size() >= documented.size());
      Set<String> shown = browser.findElements(operation).stream()
          .map(block -> block.findElement(By.cssSelector(".opblock-summary-method")).getText() + " "
              + block.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(shown).isEqualTo(documented);
    } finally {
      browser.quit();
    }
  }
}
