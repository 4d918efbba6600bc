package io.catalogsuite.catalog.cache;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.map.IMap;
import io.catalogsuite.cacheprotocol.CachedProduct;
import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared {@code products} map, on two catalog instances without near caches, so that every read after an
 * instance's first miss of a product goes through it.
 *
 * <p>It cannot be poisoned: whatever stands under a product's id in the {@code products} map, if it is not
 * a well-formed entry it is counted, replaced and read as a miss, and it stops no invalidation. (Issue 8: through the
 * cache API, a forged product with the highest version was served for a year, {@code {"x":1}} made reads hang and
 * {@code "x"} stalled the outbox relay. The API is read-only for this map now; here the values are put straight
 * into Hazelcast, as a member of another version, or anyone with cluster access, could.)
 */
class SharedCacheIT {
  private static final List<String> POISON = List.of(
      "{\"id\":1,\"name\":\"FORGED\",\"version\":9223372036854775807}", "{\"x\":1}", "\"x\"");
  /** Long enough that a test's later reads always count as second misses, however slow the machine. */
  private static final int ADMISSION_WINDOW_MS = 600_000;
  private static CatalogCluster cluster;
  private static TestHttp a;
  private static TestHttp b;
  private static IMap<Long, Object> products;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(2, new SharedCacheConfig(60, ADMISSION_WINDOW_MS),
        new NearCacheConfig(0, 1, 60, 1000), EventsConfig.defaults(), ImportConfig.defaults());
    a = cluster.http(0);
    b = cluster.http(1);
    products = cluster.cache().cluster().hazelcast().getMap("products");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static long create(String name) {
    HttpResponse<Buffer> created = a.post("/products", CatalogCluster.newProduct("poison").put("name", name));
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  /** Each instance's first miss of a product reads Postgres and skips the shared map; these are those reads. */
  private static void firstMisses(long id) {
    a.get("/products/" + id);
    b.get("/products/" + id);
  }

  static double loads(TestHttp http) {
    return PrometheusText.sample(http.get("/metrics").bodyAsString(), "cache_loads_seconds_count",
        "cache=\"products\"");
  }

  /** After its first miss on an instance, a product is read from the shared map, on either instance. */
  @Test
  void readsAfterTheFirstMiss_comeFromTheSharedMap_notPostgres() {
    long id = create("Desk lamp");
    firstMisses(id);
    // Change the row behind the service's back: a read that reached Postgres would see it.
    await(cluster.sql().preparedQuery("UPDATE products SET name = 'changed in SQL' WHERE id = $1")
        .execute(Tuple.of(id)));
    assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Desk lamp");
    assertThat(a.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Desk lamp");
  }

  @Test
  void stats_countTheLookupsOfTheSharedMap() {
    long id = create("Counted");
    firstMisses(id); // skipped: Postgres answers, the shared map is not asked
    long unknown = id + 1_000_000;
    a.get("/products/" + unknown); // skipped
    TestHttp cacheHttp = new TestHttp(cluster.cache().port());
    try {
      JsonObject before = cacheHttp.get("/maps/products/stats").bodyAsJsonObject();
      a.get("/products/" + id); // hit: the create wrote it through
      b.get("/products/" + id); // hit
      a.get("/products/" + unknown); // miss (then remembered as missing)
      a.put("/products/" + id, CatalogCluster.newProduct("stats")); // a write is no lookup
      JsonObject after = cacheHttp.get("/maps/products/stats").bodyAsJsonObject();
      assertThat(after.getLong("misses") - before.getLong("misses")).isEqualTo(1);
      assertThat(after.getLong("hits") - before.getLong("hits")).isEqualTo(2);
      assertThat(after.getInteger("members")).isEqualTo(3);
    } finally {
      cacheHttp.close();
    }
    assertThat(PrometheusText.sample(a.get("/metrics").bodyAsString(), "cache_lookups_total",
        "cache=\"products\"", "result=\"skipped\"")).isGreaterThanOrEqualTo(2);
  }

  /** Once each instance has missed it once, 100 cold reads on each at once cost one database load in the cluster. */
  @Test
  void singleFlight_200ConcurrentColdReads_oneDatabaseLoad() {
    long id = create("Cold lamp");
    firstMisses(id);
    products.delete(id); // cold again
    double before = loads(a) + loads(b);
    burstOfReads(id);
    assertThat(loads(a) + loads(b) - before).isEqualTo(1);
    assertThat(PrometheusText.sample(a.get("/metrics").bodyAsString(), "cache_hit_ratio", "cache=\"products\""))
        .isBetween(0.0, 1.0);
  }

  /** 100 reads of {@code id} on each instance at once, every one answered 200. */
  private static void burstOfReads(long id) {
    List<Future<HttpResponse<Buffer>>> reads = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      reads.add(a.request(HttpMethod.GET, "/products/" + id).send());
      reads.add(b.request(HttpMethod.GET, "/products/" + id).send());
    }
    assertThat(await(Future.all(reads)).<HttpResponse<Buffer>>list())
        .allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
  }

  /** A first burst of reads of a product no instance has missed lately costs a load per instance, not per read. */
  @Test
  void aFirstBurst_costsOneLoadPerInstance() {
    long id = create("Fresh lamp");
    double before = loads(a) + loads(b);
    burstOfReads(id);
    assertThat(loads(a) + loads(b) - before).isBetween(1.0, 2.0);
  }

  @Test
  void negativeCache_remembers404_andANewProductReplacesIt() {
    var sequence = await(cluster.sql().query("SELECT last_value, is_called FROM products_id_seq").execute())
        .iterator().next();
    long next = sequence.getBoolean("is_called") ? sequence.getLong("last_value") + 1 : sequence.getLong("last_value");
    firstMisses(next);
    assertProblem(a.get("/products/" + next), 404); // loaded once more, and remembered as missing cluster-wide
    double before = loads(a) + loads(b);
    assertProblem(b.get("/products/" + next), 404);
    assertProblem(a.get("/products/" + next), 404);
    assertThat(loads(a) + loads(b) - before).isZero();

    HttpResponse<Buffer> created = a.post("/products", CatalogCluster.newProduct("neg"));
    assertThat(created.bodyAsJsonObject().getLong("id")).isEqualTo(next);
    assertThat(b.get("/products/" + next).statusCode()).isEqualTo(200); // not the cached 404
  }

  private static double malformed(TestHttp http) {
    return PrometheusText.sample(http.get("/metrics").bodyAsString(), "cache_malformed_entries_total",
        "cache=\"products\"");
  }

  @Test
  void poisonedEntries_areReadAsMisses_countedAndReplaced() {
    for (String poison : POISON) {
      long id = create("Real lamp");
      firstMisses(id);
      double before = malformed(a) + malformed(b);
      products.set(id, poison);
      HttpResponse<Buffer> read = b.get("/products/" + id);
      assertThat(read.statusCode()).as(poison).isEqualTo(200);
      assertThat(read.bodyAsJsonObject().getString("name")).isEqualTo("Real lamp");
      assertThat(read.getHeader("ETag")).isEqualTo("\"1\"");
      // Found once: by this read's lookup, or by the relay's invalidation of the product's creation event (which
      // may count it a moment after the read).
      Waits.until("the poisoned entry counted", Duration.ofSeconds(10),
          () -> malformed(a) + malformed(b) - before == 1);
      assertThat(products.get(id)).isInstanceOf(CachedProduct.class); // replaced by what was loaded
      assertThat(a.put("/products/" + id, CatalogCluster.newProduct("poison").put("name", "Updated"))
          .bodyAsJsonObject().getInteger("version")).isEqualTo(2);
      assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Updated");
    }
  }

  /** The relay's invalidation goes through poisoned entries: later changes still reach every instance. */
  @Test
  void poisonedEntries_neverStallTheRelay() {
    long poisoned = create("Lamp");
    long other = create("Other lamp");
    firstMisses(poisoned);
    firstMisses(other);
    assertThat(b.get("/products/" + other).statusCode()).isEqualTo(200); // cached
    for (String poison : POISON) {
      products.set(poisoned, poison);
      String name = "Changed behind the API " + poison.length();
      await(cluster.sql().preparedQuery("""
          WITH written AS (
            UPDATE products SET name = $2, version = version + 1 WHERE id = ANY ($1)
            RETURNING id, sku, version)
          INSERT INTO product_events (type, product_id, sku, version)
          SELECT 'product.updated', id, sku, version FROM written""")
          .execute(Tuple.of(new Long[] {poisoned, other}, name)));
      for (long id : List.of(poisoned, other)) {
        assertThat(b.awaitResponse("/products/" + id, r -> r.statusCode() == 200
            && r.bodyAsJsonObject().getString("name").equals(name), Duration.ofSeconds(10)).statusCode())
            .isEqualTo(200);
      }
    }
  }
}
