package io.catalogsuite.gateway;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in front of a real gateway with three real upstream instances (small Vert.x HTTP servers) and a
 * real catalog-service instance (on Postgres, with its caches), under steady load: its doors over HTTP, and the
 * page in a real browser ({@link HeadlessChromium}).
 */
class DashboardIT {
  private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
  private static final String API_KEY = "dashboard-it-" + UUID.randomUUID();
  private static final List<String> INSTANCES = List.of("echo-1", "echo-2", "echo-3");
  /** Generous: the machine is shared and slow; every wait ends as soon as its condition holds. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static String cluster;
  private static ServiceNode cache;
  private static ServiceNode catalog;
  private static ServiceNode gateway;
  /** A product of the catalog, read again and again by the load. */
  private static String product;
  private static Vertx stubs;
  private static TestHttp anonymous;
  private static final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private ChromeDriver browser;
  private Long load;

  @BeforeAll
  static void start() {
    cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    // Probes every 100 ms, unhealthy after 2 failures; no slow start, so every instance is in rotation at once.
    catalog = await(ServiceNode.start(TestNodes.config(CatalogService.NAME, cluster, "catalog-1"),
        new CatalogService(CatalogConfig.fromEnv(Map.of("PG_URL", TestPostgres.createDatabase())))));
    GatewayConfig config = GatewayConfig.fromEnv(Map.of(
        "GATEWAY_ROUTES", "/api/echo=echo-service,/api/catalog=catalog-service",
        "HEALTH_PROBE_INTERVAL_MS", "100", "SLOW_START_MS", "0", "UPSTREAM_TIMEOUT_MS", "2000"));
    gateway = TestGateway.start(cluster, "gw-dashboard", config, "dashboard-it", API_KEY);
    stubs = Vertx.vertx();
    for (String instance : INSTANCES) {
      HttpServer server = await(stubs.createHttpServer().requestHandler(request -> {
        // A few milliseconds of work, so that the percentiles show something.
        stubs.timer(1 + (long) (Math.random() * 4)).onComplete(v -> request.response().end(instance));
      }).listen(0, "127.0.0.1"));
      servers.put(instance, server);
      TestGateway.publish(gateway, "echo-service", instance, server.actualPort());
    }
    anonymous = new TestHttp(gateway.port());
    try (TestHttp admin = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY))) {
      TestGateway.awaitInstances(admin, "echo-service", INSTANCES.size());
      TestGateway.awaitInstances(admin, "catalog-service", 1);
      product = admin.post("/api/catalog/products", new JsonObject().put("sku", "DASH-" + UUID.randomUUID())
          .put("name", "Lamp").put("category", "dashboard").put("priceCents", 1900).put("currency", "EUR")
          .put("stock", 5)).getHeader("Location");
    }
  }

  @AfterAll
  static void stop() {
    anonymous.close();
    await(stubs.close());
    await(gateway.stop());
    await(catalog.stop());
    await(cache.stop());
  }

  /**
   * Opens headless Chromium, and starts a steady load through the gateway: 50 requests a second to the echo
   * instances, 50 reads of the product.
   */
  private void openBrowser() {
    browser = HeadlessChromium.open("DashboardIT");
    WebClient client = WebClient.create(stubs);
    load = stubs.setPeriodic(20, id -> {
      client.get(gateway.port(), "127.0.0.1", "/api/echo/item").send();
      client.get(gateway.port(), "127.0.0.1", product).send();
    });
  }

  @AfterEach
  void closeBrowser() {
    if (load != null) {
      stubs.cancelTimer(load);
    }
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void pageLoadsWithoutCredential_streamNeedsTheAdminOne() {
    HttpResponse<Buffer> page = anonymous.get("/admin/dashboard");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Content-Security-Policy")).contains("script-src 'self'");
    assertThat(anonymous.get("/admin/dashboard/uplot/uPlot.iife.min.js").statusCode()).isEqualTo(200);
    assertThat(anonymous.get("/admin/dashboard/assets/dashboard.js").statusCode()).isEqualTo(200);
    assertProblem(anonymous.get("/admin/dashboard/stream"), 401);
    assertProblem(anonymous.get("/admin/dashboard/assets/missing.js"), 401);

    String url = "http://127.0.0.1:" + gateway.port() + "/admin/dashboard/stream";
    try (EventStreamClient stream = EventStreamClient.open(url, Map.of("X-API-Key", API_KEY))) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.header("Content-Type")).isEqualTo("text/event-stream");
      List<EventStreamClient.Event> events = stream.take(2); // the latest at once, then a new one every second
      JsonObject last = new JsonObject(events.get(1).data());
      assertThat(last.getLong("at")).isGreaterThan(new JsonObject(events.get(0).data()).getLong("at"));
      JsonObject echo = service(last, "echo-service");
      assertThat(echo.getJsonArray("instances").stream().map(i -> ((JsonObject) i).getString("instanceId")))
          .containsExactlyElementsOf(INSTANCES);
      assertThat(echo.getString("breaker")).isEqualTo("closed");
      assertThat(echo.getJsonObject("retryBudget").getLong("allowed")).isPositive();
    }
  }

  @Test
  void catalogInstancesReportTheirCaches_throughTheirHealthProbe() {
    JsonObject health = await(anonymous.client().get(catalog.port(), "127.0.0.1", "/health").send())
        .bodyAsJsonObject();
    assertThat(health.getString("status")).isEqualTo("UP");
    assertThat(health.getJsonObject("caches").fieldNames()).containsExactly("near", "shared");
    try (TestHttp admin = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY))) {
      admin.awaitResponse("/admin/services", r -> {
        JsonObject instance = r.bodyAsJsonObject().getJsonObject("services").getJsonObject("catalog-service")
            .getJsonArray("instances").getJsonObject(0);
        JsonObject caches = instance.getJsonObject("caches");
        return caches != null && caches.getJsonObject("near").containsKey("hitRatio")
            && caches.getJsonObject("shared").containsKey("hitRatio");
      }, PATIENCE);
      JsonObject echo = admin.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
          .getJsonObject("echo-service").getJsonArray("instances").getJsonObject(0);
      assertThat(echo.getValue("caches")).isNull(); // they report none
    }
  }

  private static JsonObject service(JsonObject snapshot, String name) {
    return snapshot.getJsonArray("services").stream().map(JsonObject.class::cast)
        .filter(service -> service.getString("name").equals(name)).findFirst().orElseThrow();
  }

  @Test
  void browser_showsEveryInstanceLive_andAStoppedOneOutOfRotation() throws IOException {
    openBrowser();
    String page = "http://127.0.0.1:" + gateway.port() + "/admin/dashboard";
    browser.get(page);
    WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("secret"))).sendKeys(API_KEY);
    browser.findElement(By.id("connect")).click();

    for (String instance : INSTANCES) {
      wait.until(d -> "in-rotation".equals(state(instance)));
    }
    // Reads of one product: after its first misses, the catalog instance serves it from its near cache.
    wait.until(d -> {
      String near = cell("catalog-1", "near-cache");
      return near != null && near.matches("[0-9.]+ % of [0-9]+") && Double.parseDouble(near.split(" ")[0]) > 0;
    });
    assertThat(cell("catalog-1", "shared-cache")).matches("[0-9.]+ % of [0-9]+");
    long before = requests("echo-1");
    wait.until(d -> requests("echo-1") > before);
    wait.until(d -> String.valueOf(cell("echo-1", "p99")).matches("[0-9.]+"));

    await(servers.get("echo-3").close());
    wait.until(d -> List.of("unhealthy", "ejected").contains(state("echo-3")));
    assertThat(cell("echo-3", "state")).matches("unhealthy|ejected until .*");
    for (String instance : List.of("echo-1", "echo-2")) {
      assertThat(state(instance)).isEqualTo("in-rotation");
    }
    assertThat(browser.findElement(By.id("status")).getText()).startsWith("live");
    // The credential went in a header: not into the address, and kept for this tab only.
    assertThat(browser.getCurrentUrl()).isEqualTo(page);
    assertThat((String) browser.executeScript("return localStorage.length + ':' + document.cookie")).isEqualTo("0:");

    Files.createDirectories(SCREENSHOTS);
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("dashboard.png"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The instance's row's {@code data-state}, read in one script: the page renders its tables anew with every event,
   * so an element found in one call may be gone by the next.
   */
  private String state(String instance) {
    return (String) browser.executeScript("const row = document.querySelector(arguments[0]);"
        + " return row ? row.dataset.state : null;", "tr[data-instance='" + instance + "']");
  }

  /** The text of one cell of the instance's row; null while there is none. */
  private String cell(String instance, String column) {
    return (String) browser.executeScript("const cell = document.querySelector(arguments[0]);"
        + " return cell ? cell.textContent : null;", "tr[data-instance='" + instance + "'] td." + column);
  }

  private long requests(String instance) {
    String text = cell(instance, "requests");
    return text == null ? -1 : Long.parseLong(text);
  }
}
