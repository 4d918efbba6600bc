package io.catalogsuite.catalog.cache;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each catalog instance's near cache, on two real instances and a real cache-service member. */
class NearCacheIT {
  private static CatalogCluster cluster;
  private static TestHttp a;
  private static TestHttp b;

  @BeforeAll
  static void start() {
    // A product enters the caches on its second miss within the admission window: long here, so that the second
    // read is one however slow the machine.
    cluster = CatalogCluster.start(2, new SharedCacheConfig(60, 600_000), NearCacheConfig.defaults(),
        EventsConfig.defaults(), ImportConfig.defaults());
    a = cluster.http(0);
    b = cluster.http(1);
    for (TestHttp http : new TestHttp[] {a, b}) { // each holds a lease from the other
      http.awaitResponse("/metrics", r -> metric(r.bodyAsString(), "near_cache_servable") == 1,
          Duration.ofSeconds(10));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static double metric(String metrics, String name, String... labels) {
    return PrometheusText.sample(metrics, name, labels);
  }

  private static long create(TestHttp http) {
    HttpResponse<Buffer> created = http.post("/products", CatalogCluster.newProduct("near"));
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  /** A hit is answered from memory: neither the shared map nor Postgres hears of it. */
  @Test
  void aHit_neverLeavesTheJvm() {
    long id = create(a);
    // The relay's invalidation of the new product asks the shared map too: done before the counts are taken
    // (once it came between them, 7 shared-map gets and hits against 6).
    Waits.until("the creation relayed", Duration.ofSeconds(10), () -> cluster.unpublishedEvents() == 0);
    a.get("/products/" + id); // a first miss: from Postgres, cached nowhere
    HttpResponse<Buffer> first = a.get("/products/" + id); // from the shared map, kept near
    String before = a.get("/metrics").bodyAsString();
    JsonObject sharedBefore = new TestHttp(cluster.cache().port()).get("/maps/products/stats").bodyAsJsonObject();
    for (int i = 0; i < 20; i++) {
      HttpResponse<Buffer> hit = a.get("/products/" + id);
      assertThat(hit.statusCode()).isEqualTo(200);
      assertThat(hit.bodyAsString()).isEqualTo(first.bodyAsString());
      assertThat(hit.getHeader("ETag")).isEqualTo("\"1\"");
    }
    String after = a.get("/metrics").bodyAsString();
    JsonObject sharedAfter = new TestHttp(cluster.cache().port()).get("/maps/products/stats").bodyAsJsonObject();
    assertThat(metric(after, "cache_lookups_total", "cache=\"products-near\"", "result=\"hit\"")
        - metric(before, "cache_lookups_total", "cache=\"products-near\"", "result=\"hit\"")).isEqualTo(20);
    assertThat(metric(after, "cache_lookups_total", "cache=\"products\"", "result=\"hit\"")).as("shared map")
        .isEqualTo(metric(before, "cache_lookups_total", "cache=\"products\"", "result=\"hit\""));
    assertThat(metric(after, "cache_loads_seconds_count")).as("Postgres loads")
        .isEqualTo(metric(before, "cache_loads_seconds_count"));
    assertThat(sharedAfter.getLong("gets") + sharedAfter.getLong("hits"))
        .isEqualTo(sharedBefore.getLong("gets") + sharedBefore.getLong("hits"));
    assertThat(metric(after, "cache_hit_ratio", "cache=\"products-near\"")).isBetween(0.0, 1.0);
  }

  /** A write's response comes after every instance's near cache dropped the older version. */
  @Test
  void aWriteOnOneInstance_isReadAtOnceOnTheOther() {
    long id = create(a);
    for (int version = 1; version <= 5; version++) {
      HttpResponse<Buffer> near = b.get("/products/" + id);
      assertThat(near.getHeader("ETag")).isEqualTo("\"" + version + "\"");
      assertThat(b.get("/products/" + id).getHeader("ETag")).as("a near hit").isEqualTo("\"" + version + "\"");
      TestHttp writer = version % 2 == 0 ? a : b;
      assertThat(writer.put("/products/" + id, CatalogCluster.newProduct("near").put("name", "v" + (version + 1)))
          .statusCode()).isEqualTo(200);
    }
    assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("v6");
    assertThat(a.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("v6");
    assertThat(a.delete("/products/" + id).statusCode()).isEqualTo(204);
    assertThat(b.get("/products/" + id).statusCode()).isEqualTo(404);
  }

  /** A change behind the API's back (an import, SQL) reaches the near caches through the outbox relay. */
  @Test
  void aChangeBehindTheApi_reachesTheNearCaches() {
    long id = create(a);
    for (TestHttp http : new TestHttp[] {a, b}) {
      http.get("/products/" + id);
      assertThat(http.get("/products/" + id).getHeader("ETag")).isEqualTo("\"1\"");
    }
    await(cluster.sql().preparedQuery("""
        WITH written AS (
          UPDATE products SET name = 'Changed in SQL', version = version + 1 WHERE id = $1 RETURNING id, sku, version)
        INSERT INTO product_events (type, product_id, sku, version)
        SELECT 'product.updated', id, sku, version FROM written""").execute(Tuple.of(id)));
    for (TestHttp http : new TestHttp[] {a, b}) {
      assertThat(http.awaitResponse("/products/" + id, r -> "\"2\"".equals(r.getHeader("ETag")),
          Duration.ofSeconds(10)).bodyAsJsonObject().getString("name")).isEqualTo("Changed in SQL");
    }
  }
}
