package io.catalogsuite.catalog.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * catalog-service is a lite member: cache-service holds the cluster's data. When the last cache-service member goes,
 * the catalog goes on without the cache.
 */
class WithoutCacheServiceIT {
  private static CatalogCluster cluster;
  private static TestHttp a;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(1, 60);
    a = cluster.http(0);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The cache is an optimisation: without a cache-service member, reads go to Postgres, and the instance says so. */
  @Test
  void withoutACacheServiceMember_readsGoToPostgres() {
    long read = create("Read before");
    long unread = create("Never read");
    assertThat(a.get("/products/" + read).statusCode()).isEqualTo(200); // now in this instance's near cache
    assertThat(a.get("/ready").bodyAsJsonObject().getString("status")).isEqualTo("UP");

    cluster.stopCache();
    HttpResponse<Buffer> ready = a.awaitResponse("/ready", r -> r.bodyAsJsonObject().getString("status")
        .equals("DEGRADED"), Duration.ofSeconds(10));
    assertThat(ready.statusCode()).as("still ready: it serves").isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("cache"))
        .startsWith("DEGRADED: no cache-service member");
    String metrics = a.get("/metrics").bodyAsString();
    assertThat(PrometheusText.sample(metrics, "cache_available", "cache=\"products\"")).isZero();
    double bypassed = PrometheusText.sample(metrics, "cache_lookups_total", "result=\"bypassed\"");

    HttpResponse<Buffer> fromPostgres = a.get("/products/" + unread);
    assertThat(fromPostgres.statusCode()).isEqualTo(200);
    assertThat(fromPostgres.bodyAsJsonObject().getString("name")).isEqualTo("Never read");
    assertThat(PrometheusText.sample(a.get("/metrics").bodyAsString(), "cache_lookups_total",
        "result=\"bypassed\"") - bypassed).isEqualTo(1);
    // The only catalog instance: no other writes, so its near cache is still right, and still serves.
    assertThat(a.get("/products/" + read).bodyAsJsonObject().getString("name")).isEqualTo("Read before");
  }

  private static long create(String name) {
    return a.post("/products", CatalogCluster.newProduct("survivor").put("name", name)).bodyAsJsonObject()
        .getLong("id");
  }
}
