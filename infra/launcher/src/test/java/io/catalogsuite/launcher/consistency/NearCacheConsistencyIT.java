package io.catalogsuite.launcher.consistency;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.http.GatewayIdentity;
import io.catalogsuite.launcher.Deployment;
import io.catalogsuite.launcher.TestDeployments;
import io.catalogsuite.launcher.Fleet;
import io.catalogsuite.launcher.Instance;
import io.catalogsuite.launcher.InstanceSpec;
import io.catalogsuite.launcher.Ports;
import io.catalogsuite.launcher.ServiceKind;
import io.catalogsuite.launcher.SuitePlan;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The near caches' contract, tested as Jepsen tests a database: three catalog-service instances, each its own JVM
 * (the packaged jars), one cache-service; clients write and read a few products on every instance at once; every
 * operation is recorded with when it was invoked and completed; {@link ReadAfterWriteCheck} fails the test on any
 * read that returned an older version than a write completed before the read was invoked. Once as is, once with
 * one instance paused ({@code SIGSTOP}) for 2 s and resumed, once with one instance killed ({@code SIGKILL}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NearCacheConsistencyIT {
  private static final Path PROJECT_ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final int PRODUCTS = 4;
  private static final int WRITERS = 4;
  private static final int READERS = 12;

  private static Fleet fleet;
  private static Vertx vertx;
  private static Workload workload;
  private static final Map<String, TestHttp> http = new LinkedHashMap<>();

  @BeforeAll
  static void startSuite() throws Exception {
    Path data = Files.createTempDirectory(Path.of("target"), "suite-data"); // the cache maps defined at runtime
    String database = TestPostgres.createDatabase();
    fleet = new Fleet(PROJECT_ROOT, Path.of("target", "consistency-logs").toAbsolutePath());
    fleet.requireJars();
    Deployment deployment = TestDeployments.create(TestNodes.uniqueClusterName(), "unused-" + UUID.randomUUID());
    List<InstanceSpec> specs = SuitePlan.instances(1, 3, Ports.free(), deployment, database, data).stream()
        .filter(spec -> spec.service() != ServiceKind.GATEWAY) // the clients talk to each instance directly
        .toList();
    fleet.start(specs, START_TIMEOUT);
    Map<String, Integer> catalogs = new LinkedHashMap<>();
    for (Instance instance : fleet.instances()) {
      if (instance.service() == ServiceKind.CATALOG) {
        catalogs.put(instance.name(), instance.port());
        http.put(instance.name(), TestHttp.asGateway(instance.port(), deployment.gatewaySecret()));
      }
    }
    Map<Long, JsonObject> products = new HashMap<>();
    for (int i = 0; i < PRODUCTS; i++) {
      JsonObject product = new JsonObject().put("sku", "JEPSEN-" + UUID.randomUUID()).put("name", "Contended")
          .put("category", "consistency").put("priceCents", 100).put("currency", "EUR").put("stock", 10);
      products.put(http.get("catalog-1").post("/products", product).bodyAsJsonObject().getLong("id"), product);
    }
    for (TestHttp instance : http.values()) { // every instance holds a lease from the others, and every product
      Waits.until("a near cache that serves", Duration.ofSeconds(30),
          () -> metric(instance, "near_cache_servable") == 1);
      products.keySet().forEach(id -> instance.get("/products/" + id));
    }
    vertx = Vertx.vertx();
    workload = new Workload(vertx, catalogs, products,
        GatewayIdentity.of(Optional.of(deployment.gatewaySecret())).orElseThrow());
  }

  @AfterAll
  static void stopSuite() {
    http.values().forEach(TestHttp::close);
    if (workload != null) {
      workload.close();
      await(vertx.close());
    }
    if (fleet != null) {
      fleet.stop(Fleet.STOP_GRACE);
    }
  }

  private static double metric(TestHttp instance, String name, String... labels) {
    return PrometheusText.sample(instance.get("/metrics").bodyAsString(), name, labels);
  }

  private static double nearHits() {
    return http.entrySet().stream().filter(e -> fleet.instance(e.getKey()).orElseThrow().isAlive())
        .mapToDouble(e -> metric(e.getValue(), "cache_lookups_total", "cache=\"products-near\"", "result=\"hit\""))
        .sum();
  }

  /** Runs the workload for {@code duration}, doing {@code meanwhile} as it runs; the history of that run. */
  private static List<Op> run(Duration duration, long seed, Runnable meanwhile) {
    int before = workload.history().size();
    var running = workload.run(WRITERS, READERS, duration, seed);
    meanwhile.run();
    await(running);
    List<Op> all = workload.history();
    return all.subList(before, all.size());
  }

  private static void assertConsistent(List<Op> history, String what) {
    long reads = history.stream().filter(op -> op.ok() && op.kind() == Op.Kind.READ).count();
    long writes = history.stream().filter(op -> op.ok() && op.kind() == Op.Kind.WRITE).count();
    List<String> violations = ReadAfterWriteCheck.violations(history);
    System.out.printf("%s: %d operations, %d reads and %d writes answered, %d violations%n", what, history.size(),
        reads, writes, violations.size());
    // Enough to mean something on a slow, shared machine (a quiet one does several times as many).
    assertThat(writes).as("writes answered").isGreaterThan(50);
    assertThat(reads).as("reads answered").isGreaterThan(300);
    assertThat(violations).as("reads older than a write completed before them").isEmpty();
  }

  @Test
  @Order(1)
  void readsAfterWrites_neverOlder() {
    double hitsBefore = nearHits();
    List<Op> history = run(Duration.ofSeconds(8), 1, () -> { });
    assertConsistent(history, "steady");
    assertThat(nearHits() - hitsBefore).as("near-cache hits: the test must exercise them").isGreaterThan(100);
  }

  /** catalog-3 stops answering for 2 s: writes wait out its lease, and once it runs again it serves nothing stale. */
  @Test
  @Order(2)
  void aPausedInstance_servesNothingStaleWhenItResumes() {
    Instance paused = fleet.instance("catalog-3").orElseThrow();
    List<Op> history = run(Duration.ofSeconds(10), 2, () -> {
      sleepOnTheWorkload(Duration.ofSeconds(2));
      paused.pause();
      sleepOnTheWorkload(Duration.ofSeconds(2));
      paused.resume();
    });
    assertConsistent(history, "catalog-3 paused for 2 s");
    assertThat(paused.isAlive()).isTrue();
    assertThat(history).as("catalog-3 answered reads after it resumed")
        .anyMatch(op -> op.ok() && op.instance().equals("catalog-3") && op.kind() == Op.Kind.READ);
    assertThat(metric(http.get("catalog-1"), "near_cache_lease_waits_total")
        + metric(http.get("catalog-2"), "near_cache_lease_waits_total"))
        .as("writes that waited out the paused instance's lease").isPositive();
  }

  @Test
  @Order(3)
  void aKilledInstance_stopsNoWrite_andNothingStaleIsRead() throws Exception {
    Instance killed = fleet.instance("catalog-3").orElseThrow();
    List<Op> history = run(Duration.ofSeconds(8), 3, () -> {
      sleepOnTheWorkload(Duration.ofSeconds(2));
      try {
        killed.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    });
    assertConsistent(history, "catalog-3 killed");
    long lastKilledOp = history.stream().filter(op -> op.instance().equals("catalog-3") && op.ok())
        .mapToLong(Op::completedNanos).max().orElse(0);
    assertThat(history).as("writes answered by the survivors after the kill")
        .anyMatch(op -> op.ok() && op.kind() == Op.Kind.WRITE && op.invokedNanos() > lastKilledOp);
  }

  /** Lets the workload run meanwhile; a pause between two steps of the test's own script, not a wait for a result. */
  private static void sleepOnTheWorkload(Duration duration) {
    try {
      TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
