package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.catalogsuite.testing.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The suite as {@code ./suite up} runs it, every packaged jar its own JVM started by {@link Fleet}, keeps
 * answering through the gateway while a catalog-service instance crashes: a client reading all along sees only
 * 200s, and the gateway drops the dead instance within seconds.
 */
class SuiteEndToEndIT {
  /** failsafe runs in the module's directory, infra/launcher. */
  private static final Path PROJECT_ROOT = Path.of("../..").toAbsolutePath().normalize();
  /** More than the launcher's 120 s: a build machine may run other tests next to these four JVMs. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  /** What the suite promises: a crashed instance leaves the gateway's rotation within 10 s. */
  private static final Duration REMOVAL_TIMEOUT = Duration.ofSeconds(10);
  /** The exit code of a JVM that stopped on SIGTERM, rather than being killed after its grace period. */
  private static final int STOPPED_BY_SIGTERM = 143;
  /** The test's API key (admin and write): creating products and reading /admin/services need it. */
  private static final String API_KEY = "e2e-" + UUID.randomUUID();

  private static Fleet fleet;
  private static TestHttp gateway;

  @BeforeAll
  static void startSuite() throws Exception {
    int gatewayPort = Ports.free();
    fleet = new Fleet(PROJECT_ROOT, Path.of("target", "e2e-logs").toAbsolutePath());
    fleet.requireJars();
    fleet.start(SuitePlan.instances(1, 2, gatewayPort, TestNodes.uniqueClusterName(),
        TestPostgres.createDatabase(), DevApiKey.gatewayApiKeys(API_KEY)), START_TIMEOUT);
    gateway = new TestHttp(gatewayPort, Map.of("X-API-Key", API_KEY));
  }

  @AfterAll
  static void stopSuite() {
    if (gateway != null) {
      gateway.close();
    }
    if (fleet != null) {
      fleet.stop(Fleet.STOP_GRACE); // nothing left to do when the test got to its own stop
    }
  }

  @Test
  void killingACatalogInstance_failsNoRead_andTheGatewayDropsIt() throws Exception {
    List<Long> ids = List.of(createProduct(), createProduct(), createProduct());
    Waits.until("catalog-1 and catalog-2 in the gateway's rotation", Duration.ofSeconds(30), () -> {
      Map<String, Boolean> rotation = catalogRotation();
      return Boolean.TRUE.equals(rotation.get("catalog-1")) && Boolean.TRUE.equals(rotation.get("catalog-2"));
    });

    Reader reader = Reader.start(gateway, ids);
    try {
      Waits.until("reads served by both catalog instances", Duration.ofSeconds(30),
          () -> reader.servedBy().containsAll(List.of("catalog-1", "catalog-2")));
      fleet.instance("catalog-2").orElseThrow().kill();
      Waits.until("catalog-2 gone from /admin/services", REMOVAL_TIMEOUT,
          () -> !catalogRotation().containsKey("catalog-2"));
      int readsAtRemoval = reader.reads();
      Waits.until("reads after the removal", Duration.ofSeconds(30), () -> reader.reads() >= readsAtRemoval + 20);
    } finally {
      reader.stop();
    }
    assertThat(reader.failures()).as("failed reads out of %d", reader.reads()).isEmpty();

    fleet.stop(Fleet.STOP_GRACE);
    for (Instance instance : fleet.instances()) {
      assertThat(instance.isAlive()).as(instance.name()).isFalse();
      if (!instance.name().equals("catalog-2")) {
        assertThat(instance.exitCode()).as("%s stopped gracefully", instance.name()).isEqualTo(STOPPED_BY_SIGTERM);
      }
    }
  }

  private static long createProduct() {
    JsonObject product = new JsonObject()
        .put("sku", "E2E-" + UUID.randomUUID().toString().substring(0, 8))
        .put("name", "End-to-end product")
        .put("category", "e2e")
        .put("priceCents", 1999)
        .put("currency", "EUR")
        .put("stock", 5);
    HttpResponse<Buffer> created = gateway.post("/api/catalog/products", product);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    JsonObject body = created.bodyAsJsonObject();
    assertThat(body.containsKey("id")).as(body.encode()).isTrue();
    return body.getLong("id");
  }

  /** The catalog-service instances the gateway knows, by instance id: whether each is in rotation. */
  private static Map<String, Boolean> catalogRotation() {
    JsonObject services = gateway.get("/admin/services").bodyAsJsonObject().getJsonObject("services");
    JsonObject catalog = services == null ? null : services.getJsonObject("catalog-service");
    JsonArray instances = catalog == null ? new JsonArray() : catalog.getJsonArray("instances", new JsonArray());
    Map<String, Boolean> rotation = new HashMap<>();
    for (int i = 0; i < instances.size(); i++) {
      JsonObject instance = instances.getJsonObject(i);
      rotation.put(instance.getString("instanceId"), instance.getBoolean("inRotation", false));
    }
    return rotation;
  }

  /** A client reading products through the gateway one after the other, on its own thread, until stopped. */
  private static final class Reader {
    /** A bound on the loop, should the test never get to stop it. */
    private static final int MAX_READS = 200_000;
    private final TestHttp http;
    private final List<Long> ids;
    private final AtomicInteger reads = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Set<String> servedBy = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;

    private Reader(TestHttp http, List<Long> ids) {
      this.http = http;
      this.ids = ids;
      this.thread = new Thread(this::run, "e2e-reader");
    }

    static Reader start(TestHttp http, List<Long> ids) {
      Reader reader = new Reader(http, ids);
      reader.thread.start();
      return reader;
    }

    private void run() {
      while (running && reads.get() < MAX_READS) {
        long id = ids.get(reads.get() % ids.size());
        try {
          HttpResponse<Buffer> response = http.get("/api/catalog/products/" + id);
          if (response.statusCode() != 200 || response.bodyAsJsonObject().getLong("id") != id) {
            failures.add("GET " + id + ": " + response.statusCode() + " " + response.bodyAsString());
          }
          // The gateway passes on the upstream's X-Instance-Id: it names the catalog instance that answered.
          servedBy.add(String.valueOf(response.getHeader("X-Instance-Id")));
        } catch (RuntimeException | AssertionError e) {
          failures.add("GET " + id + ": " + e);
        }
        reads.incrementAndGet();
      }
    }

    int reads() {
      return reads.get();
    }

    Set<String> servedBy() {
      return Set.copyOf(servedBy);
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join(Duration.ofSeconds(60).toMillis()); // one read takes at most TestHttp's 30 s
      assertThat(thread.isAlive()).as("reader stopped").isFalse();
    }
  }
}
