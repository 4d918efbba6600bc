package io.catalogsuite.launcher;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The suite as {@code ./suite up} runs it, every packaged jar its own JVM started by {@link Fleet}, survives
 * crashes of catalog-service instances (SIGKILL): an import that loses an instance mid-way still ends with every
 * row written exactly once, and a client reading through the gateway all along sees only 200s while the gateway
 * drops the dead instance within seconds.
 *
 * <p>One fleet serves both tests, with three catalog-service instances: the import test kills catalog-3, the
 * read test then kills catalog-2 and stops the suite, and the last reads the logs, so they run in that order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  private static Deployment deployment;

  /**
   * Short leases and small batches, so that a killed instance's batches are taken over within seconds and an
   * import is many batches long.
   */
  private static final Map<String, String> IMPORT_SETTINGS = Map.of(
      "IMPORT_LEASE_SECONDS", "3", "IMPORT_SWEEP_MS", "250", "IMPORT_BATCH_ROWS", "200");

  /** catalog-3's Postgres sessions, named after it (the suite sets application_name to the instance id). */
  private static final String CATALOG_3_SESSIONS =
      "SELECT state FROM pg_stat_activity WHERE application_name = 'catalog-3'";
  /** A batch catalog-3 has claimed and not finished, in a job where it has finished another. */
  private static final String HELD_BY_CATALOG_3 = """
      SELECT b.job_id FROM import_batches b
       WHERE b.processed_by = 'catalog-3' AND b.state = 'running'
         AND EXISTS (SELECT 1 FROM import_batches d
                      WHERE d.job_id = b.job_id AND d.processed_by = 'catalog-3' AND d.state = 'done')""";

  private static Fleet fleet;
  private static TestHttp gateway;
  private static Vertx sqlVertx;
  private static SqlClient sql;

  /** What the start reported, in order ({@code ./suite up} prints it as it comes). */
  private static final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startSuite() throws Exception {
    deployment = TestDeployments.create(TestNodes.uniqueClusterName(), API_KEY);
    Path data = Files.createTempDirectory(Path.of("target"), "suite-data"); // the cache maps defined at runtime
    int gatewayPort = Ports.free();
    String database = TestPostgres.createDatabase();
    fleet = new Fleet(PROJECT_ROOT, Path.of("target", "e2e-logs").toAbsolutePath());
    fleet.requireJars();
    List<InstanceSpec> specs = SuitePlan.instances(1, 3, gatewayPort, deployment, database, data).stream()
        .map(SuiteEndToEndIT::withImportSettings).toList();
    fleet.start(specs, START_TIMEOUT, new Fleet.Progress() {
      @Override
      public void launched(Instance instance) {
        progress.add("launched " + instance.name());
      }

      @Override
      public void ready(Instance instance, Duration sinceStart) {
        progress.add("ready " + instance.name());
      }
    });
    gateway = new TestHttp(gatewayPort, Map.of("X-API-Key", API_KEY));
    sqlVertx = Vertx.vertx();
    sql = PgBuilder.client().connectingTo(PgConnectOptions.fromUri(database)).using(sqlVertx).build();
  }

  private static InstanceSpec withImportSettings(InstanceSpec spec) {
    if (spec.service() != ServiceKind.CATALOG) {
      return spec;
    }
    Map<String, String> env = new HashMap<>(spec.env());
    env.putAll(IMPORT_SETTINGS);
    return new InstanceSpec(spec.name(), spec.service(), spec.httpPort(), env);
  }

  @AfterAll
  static void stopSuite() {
    if (sql != null) {
      await(sql.close());
      await(sqlVertx.close());
    }
    if (gateway != null) {
      gateway.close();
    }
    if (fleet != null) {
      fleet.stop(Fleet.STOP_GRACE); // nothing left to do when the test got to its own stop
    }
  }

  /**
   * 30,000 lines (150 batches) uploaded to catalog-1; catalog-3 is killed while it writes batches, after it has
   * written some. Its batches are taken over by the others, and the end result is exact: every product once,
   * with the content of its line, at version 1, with one event.
   */
  /** Each instance is reported as launched and then as ready, wave by wave: cache, catalog, gateway. */
  @Test
  @Order(0)
  void theStart_reportsEachInstance_asItBecomesReady() {
    List<String> names = fleet.instances().stream().map(Instance::name).toList();
    assertThat(progress).hasSize(2 * names.size());
    for (String name : names) {
      assertThat(progress.indexOf("launched " + name)).isLessThan(progress.indexOf("ready " + name));
    }
    // The services in waves: every cache member ready before any catalog instance, and those before the gateway.
    List<String> waves = new ArrayList<>();
    progress.stream().filter(line -> line.startsWith("ready "))
        .map(line -> line.substring("ready ".length()).replaceAll("-\\d+$", ""))
        .forEach(service -> {
          if (waves.isEmpty() || !waves.get(waves.size() - 1).equals(service)) {
            waves.add(service);
          }
        });
    assertThat(waves).containsExactly("cache", "catalog", "gateway");
  }

  @Test
  @Order(1)
  void killingACatalogInstanceMidImport_losesNothing_andDoublesNothing() throws Exception {
    String run = "KILL-" + UUID.randomUUID().toString().substring(0, 8);
    int lines = 30_000;
    Set<Integer> bad = Set.of(7, 12_345, 29_999);
    Buffer body = Buffer.buffer();
    for (int i = 1; i <= lines; i++) {
      body.appendString(bad.contains(i) ? "{\"sku\": broken}\n" : product(run, i).encode() + "\n");
    }
    // Straight to catalog-1 (which is not killed), signed as the gateway signs what it forwards.
    TestHttp catalog1 = TestHttp.asGateway(fleet.instance("catalog-1").orElseThrow().port(),
        deployment.gatewaySecret());
    try {
      Future<HttpResponse<Buffer>> upload = catalog1.request(HttpMethod.POST, "/imports")
          .putHeader("Content-Type", "application/x-ndjson").sendBuffer(body);
      // Batches are written while the upload still arrives: catalog-3 may be killed before the 202. A batch
      // takes milliseconds, so catalog-3 is frozen first and killed only if, frozen, it holds one it started.
      Instance catalog3 = fleet.instance("catalog-3").orElseThrow();
      Waits.until("catalog-3 frozen while it holds a batch, after it wrote some", Duration.ofSeconds(60),
          () -> freezeHoldingABatch(catalog3));
      catalog3.kill();
      // A commit sent just before the freeze still lands: what catalog-3 held is known once its sessions are gone.
      Waits.until("catalog-3's Postgres sessions closed", Duration.ofSeconds(30),
          () -> rows(CATALOG_3_SESSIONS).isEmpty());
      UUID job = rows("SELECT DISTINCT job_id FROM import_batches WHERE processed_by = 'catalog-3'").get(0).getUUID(0);
      List<Integer> heldByTheDead = rows("SELECT seq FROM import_batches WHERE job_id = $1 AND state = 'running'"
          + " AND processed_by = 'catalog-3'", job).stream().map(row -> row.getInteger(0)).toList();
      assertThat(heldByTheDead).as("batches catalog-3 held when it died").isNotEmpty();
      HttpResponse<Buffer> accepted = await(upload);
      assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
      assertThat(accepted.bodyAsJsonObject().getString("id")).isEqualTo(job.toString());

      JsonObject done = catalog1.awaitResponse("/imports/" + job,
          r -> r.bodyAsJsonObject().getString("state").equals("completed"), Duration.ofSeconds(120))
          .bodyAsJsonObject();
      assertThat(done.getLong("rowsDone")).isEqualTo(lines - bad.size());
      assertThat(done.getLong("rowsFailed")).isEqualTo(bad.size());
      assertThat(done.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getInteger("line")))
          .containsExactlyElementsOf(bad.stream().sorted().toList());
      for (Row batch : rows("SELECT attempt, processed_by FROM import_batches WHERE job_id = $1 AND seq = ANY ($2)",
          job, heldByTheDead.toArray(Integer[]::new))) {
        assertThat(batch.getString("processed_by")).as("taken over").isNotEqualTo("catalog-3");
        assertThat(batch.getInteger("attempt")).isGreaterThanOrEqualTo(2);
      }
    } finally {
      catalog1.close();
    }

    // Exactly the products of the file, each written once.
    List<Row> products = rows("""
        SELECT p.sku, p.name, p.price_cents, p.stock, p.attributes, p.version, coalesce(e.events, 0) AS events
          FROM products p
          LEFT JOIN (SELECT sku, count(*) AS events FROM product_events GROUP BY sku) e ON e.sku = p.sku
         WHERE p.category = $1""", run);
    assertThat(products).hasSize(lines - bad.size()); // skus are unique: these are every good line's product
    for (Row row : products) {
      int i = Integer.parseInt(row.getString("sku").substring(run.length() + 1));
      JsonObject want = product(run, i);
      assertThat(bad).doesNotContain(i);
      assertThat(row.getString("name")).isEqualTo(want.getString("name"));
      assertThat(row.getLong("price_cents")).isEqualTo(want.getLong("priceCents"));
      assertThat(row.getInteger("stock")).isEqualTo(want.getInteger("stock"));
      assertThat(row.getJsonObject("attributes")).isEqualTo(want.getJsonObject("attributes"));
      assertThat(row.getInteger("version")).as("written once: %s", row.getString("sku")).isEqualTo(1);
      assertThat(row.getLong("events")).as("one event: %s", row.getString("sku")).isEqualTo(1);
    }
    // Leave the read test a gateway that no longer routes to the dead instance.
    Waits.until("catalog-3 gone from /admin/services", REMOVAL_TIMEOUT,
        () -> !catalogRotation().containsKey("catalog-3"));
  }

  /**
   * Freezes catalog-3 (SIGSTOP) and waits until none of its sessions is running a statement, so that what
   * Postgres shows is what it holds. True, frozen, when it holds a batch; otherwise it runs on and this is false.
   */
  private static boolean freezeHoldingABatch(Instance catalog3) {
    if (rows(HELD_BY_CATALOG_3).isEmpty()) {
      return false;
    }
    catalog3.pause();
    Waits.until("catalog-3's sessions between statements", Duration.ofSeconds(10), () -> {
      List<Row> sessions = rows(CATALOG_3_SESSIONS);
      return !sessions.isEmpty() && sessions.stream().noneMatch(row -> "active".equals(row.getString("state")));
    });
    if (!rows(HELD_BY_CATALOG_3).isEmpty()) {
      return true;
    }
    catalog3.resume();
    return false;
  }

  private static JsonObject product(String run, int i) {
    return new JsonObject().put("sku", run + "-" + i).put("name", "Imported product " + i + " ✓")
        .put("category", run).put("priceCents", i * 7L).put("currency", "EUR").put("stock", i % 100)
        .put("attributes", new JsonObject().put("n", i));
  }

  private static List<Row> rows(String query, Object... params) {
    List<Row> rows = new ArrayList<>();
    await(sql.preparedQuery(query).execute(Tuple.from(params))).forEach(rows::add);
    return rows;
  }

  @Test
  @Order(2)
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
      if (!Set.of("catalog-2", "catalog-3").contains(instance.name())) { // killed by the tests
        assertThat(instance.exitCode()).as("%s stopped gracefully", instance.name()).isEqualTo(STOPPED_BY_SIGTERM);
      }
    }
  }

  /** After all the above (starts, crashes, imports, stops): no process wrote a secret of the deployment. */
  @Test
  @Order(3)
  void noLog_holdsASecret() throws Exception {
    for (Instance instance : fleet.instances()) {
      String log = Files.readString(instance.log());
      assertThat(log).as("%s's log", instance.name()).isNotEmpty()
          .doesNotContain(API_KEY, deployment.gatewaySecret(), deployment.clusterName(),
              deployment.clusterTls().password());
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
