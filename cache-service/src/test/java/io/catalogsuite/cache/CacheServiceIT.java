package io.catalogsuite.cache;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.EvictionPolicy;
import io.catalogsuite.cacheprotocol.CachedProduct;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real cache-service members in one cluster, used over real HTTP. */
class CacheServiceIT {
  @TempDir
  static Path files;
  private static ServiceNode first;
  private static ServiceNode second;
  private static TestHttp http1;
  private static TestHttp http2;

  @BeforeAll
  static void startCluster() {
    String cluster = TestNodes.uniqueClusterName();
    first = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster), new CacheService(config("1"))));
    second = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster), new CacheService(config("2"))));
    http1 = new TestHttp(first.port());
    http2 = new TestHttp(second.port());
  }

  private static CacheConfig config(String member) {
    return new CacheConfig(
        new CacheConfig.MapSettings(EvictionPolicy.LRU, 16, 600, 1),
        new CacheConfig.MapSettings(EvictionPolicy.LFU, 8, 3600, 1),
        files.resolve(member).resolve("cache-maps.json"));
  }

  @AfterAll
  static void stopCluster() {
    http1.close();
    http2.close();
    await(second.stop());
    await(first.stop());
  }

  private static String key() {
    return "k-" + UUID.randomUUID();
  }

  @Test
  void put_thenGetFromOtherMember() {
    String key = key();
    var put = http1.put("/maps/shared/entries/" + key, new JsonObject().put("user", "ana").put("n", 1));
    assertThat(put.statusCode()).isEqualTo(201);

    var get = http2.get("/maps/shared/entries/" + key);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.getHeader("X-Instance-Id")).isEqualTo(second.config().instanceId());
    assertThat(get.bodyAsJsonObject()).isEqualTo(new JsonObject().put("user", "ana").put("n", 1));

    assertThat(http2.put("/maps/shared/entries/" + key, new JsonObject().put("n", 2)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void delete_thenAbsent() {
    String key = key();
    http1.put("/maps/shared/entries/" + key, new JsonObject().put("a", 1));
    assertThat(http2.delete("/maps/shared/entries/" + key).statusCode()).isEqualTo(204);
    assertProblem(http1.get("/maps/shared/entries/" + key), 404);
    assertProblem(http1.delete("/maps/shared/entries/" + key), 404);
  }

  @Test
  void put_withTtl_expires() {
    String key = key();
    var put = http1.put("/maps/shared/entries/" + key + "?ttlSeconds=1", new JsonObject().put("a", 1));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.bodyAsJsonObject().getInteger("ttlSeconds")).isEqualTo(1);
    assertThat(http1.get("/maps/shared/entries/" + key).statusCode()).isEqualTo(200);
    http2.awaitResponse("/maps/shared/entries/" + key, r -> r.statusCode() == 404, Duration.ofSeconds(10));
  }

  @Test
  void stats_summedOverMembers() {
    String map = "shared";
    JsonObject before = http1.get("/maps/" + map + "/stats").bodyAsJsonObject();
    // Enough keys that both members own some of them.
    for (int i = 0; i < 20; i++) {
      http1.put("/maps/" + map + "/entries/stats-" + i + "-" + UUID.randomUUID(), new JsonObject().put("i", i));
    }
    String key = key();
    http1.put("/maps/" + map + "/entries/" + key, new JsonObject().put("hot", true));
    http2.get("/maps/" + map + "/entries/" + key);
    http2.get("/maps/" + map + "/entries/" + key);
    http1.get("/maps/" + map + "/entries/missing-" + UUID.randomUUID());

    JsonObject after = http2.get("/maps/" + map + "/stats").bodyAsJsonObject();
    assertThat(after.getInteger("members")).isEqualTo(2);
    assertThat(after.getLong("entries") - before.getLong("entries")).isEqualTo(21);
    assertThat(after.getLong("hits") - before.getLong("hits")).isEqualTo(2);
    assertThat(after.getLong("misses") - before.getLong("misses")).isEqualTo(1);
    assertThat(after.getDouble("hitRatio")).isBetween(0.0, 1.0);
  }

  /**
   * 200 values of about 256 KiB (50 MiB with their backups) into a map allowed 4 MiB per member: each member
   * keeps at most its budget, evicting the rest, where an entry count would have kept all of them.
   */
  @Test
  void bigValues_areBoundedByMemory_notByTheirCount() {
    String map = "big-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(http1.put("/maps/" + map, new JsonObject().put("maxMbPerMember", 4).put("backupCount", 1))
        .statusCode()).isEqualTo(201);
    String big = "x".repeat(256 * 1024);
    for (int i = 0; i < 200; i++) {
      assertThat(http1.put("/maps/" + map + "/entries/v-" + i, new JsonObject().put("v", big)).statusCode())
          .isEqualTo(201);
    }
    JsonObject stats = http2.get("/maps/" + map + "/stats").bodyAsJsonObject();
    assertThat(stats.getLong("maxMemoryBytesPerMember")).as(stats.encode()).isPositive()
        .isLessThanOrEqualTo(4L * 1024 * 1024);
    assertThat(stats.getLong("evictions")).as(stats.encode()).isPositive();
    assertThat(stats.getLong("entries")).as(stats.encode()).isLessThan(200);
  }

  @Test
  void listMaps_showsConfigAndStats() {
    JsonObject maps = http1.get("/maps").bodyAsJsonObject();
    JsonObject products = maps.getJsonArray("maps").getJsonObject(0);
    assertThat(products.getString("name")).isEqualTo("products");
    assertThat(products.getJsonObject("config")).isEqualTo(new JsonObject()
        .put("evictionPolicy", "LRU").put("maxMbPerMember", 16).put("ttlSeconds", 600).put("backupCount", 1)
        .put("owner", "catalog-service").put("readOnly", true));
    assertThat(products.getJsonObject("stats").getInteger("members")).isEqualTo(2);
    JsonObject shared = maps.getJsonArray("maps").getJsonObject(1);
    assertThat(shared.getString("name")).isEqualTo("shared");
    assertThat(shared.getJsonObject("config")).isEqualTo(new JsonObject()
        .put("evictionPolicy", "LFU").put("maxMbPerMember", 8).put("ttlSeconds", 3600).put("backupCount", 1));
  }

  /**
   * The products map is catalog-service's: read-only here, whatever is sent (issue 8: a forged product with the
   * highest version, an object without one, a bare string), and nothing is written.
   */
  @Test
  void productsMap_isReadOnly() {
    String path = "/maps/products/entries/" + Long.MAX_VALUE / 2;
    for (String body : List.of("{\"id\":1,\"name\":\"FORGED\",\"version\":9223372036854775807}", "{\"x\":1}",
        "\"x\"")) {
      assertProblem(http1.send(HttpMethod.PUT, path + "?ttlSeconds=31536000", "application/json",
          Buffer.buffer(body)), 403);
    }
    assertProblem(http1.delete(path), 403);
    assertProblem(http1.get(path), 404);
    assertProblem(http1.get("/maps/products/entries/not-an-id"), 400);
  }

  @Test
  void productsMap_showsWhatTheCatalogCached() {
    long id = 4242;
    var products = first.cluster().hazelcast().<Long, Object>getMap("products");
    products.set(id, CachedProduct.product(3, "{\"id\":4242,\"version\":3}".getBytes(StandardCharsets.UTF_8)));
    var read = http2.get("/maps/products/entries/" + id);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeader("ETag")).isEqualTo("\"3\"");
    assertThat(read.bodyAsJsonObject().getInteger("version")).isEqualTo(3);

    products.set(id, CachedProduct.tombstone());
    assertThat(http2.get("/maps/products/entries/" + id).bodyAsJsonObject().getString("detail"))
        .contains("tombstone marker");
    products.set(id, "{\"x\":1}"); // not an entry of the catalog's: never served
    assertThat(http2.get("/maps/products/entries/" + id).bodyAsJsonObject().getString("detail"))
        .contains("not well-formed");
    products.delete(id);
  }

  @Test
  void badInput_getsProblems() {
    String path = "/maps/shared/entries/" + key();
    assertProblem(http1.send(HttpMethod.PUT, path, "application/json", Buffer.buffer("{\"a\":")), 400);
    assertProblem(http1.send(HttpMethod.PUT, path, "text/plain", Buffer.buffer("{}")), 415);
    assertProblem(http1.send(HttpMethod.PUT, path, "application/json", Buffer.buffer("null")), 400);
    assertProblem(http1.send(HttpMethod.PUT, path + "?ttlSeconds=abc", "application/json", Buffer.buffer("1")), 400);
    assertProblem(http1.send(HttpMethod.PUT, path + "?ttlSeconds=0", "application/json", Buffer.buffer("1")), 400);
    assertProblem(http1.send(HttpMethod.PUT, path, "application/json", Buffer.buffer(new byte[1024 * 1024 + 1])),
        413);
    assertProblem(http1.get("/maps/__vertx.subs/entries/x"), 404);
    assertProblem(http1.get("/maps/unknown/stats"), 404);
    assertProblem(http1.get("/nothing-here"), 404);
    assertProblem(http1.send(HttpMethod.PATCH, "/maps", null, Buffer.buffer()), 405);
    assertThat(http1.get(path).statusCode()).isEqualTo(404); // nothing was written by the bad requests
  }

  @Test
  void unicodeKeysAndValues_roundTrip() {
    String key = "clé-🔑-" + UUID.randomUUID();
    JsonObject value = new JsonObject().put("name", "Ünïcödé ✓ 漢字 🚀").put("sql", "'; DROP TABLE x; --");
    assertThat(http1.put("/maps/shared/entries/" + java.net.URLEncoder.encode(key,
        java.nio.charset.StandardCharsets.UTF_8), value).statusCode()).isEqualTo(201);
    var get = http2.get("/maps/shared/entries/" + java.net.URLEncoder.encode(key,
        java.nio.charset.StandardCharsets.UTF_8));
    assertThat(get.bodyAsJsonObject()).isEqualTo(value);
  }

  @Test
  void readiness_up() {
    var ready = http1.get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("maps")).isEqualTo("UP");
    assertThat(http1.get("/health").statusCode()).isEqualTo(200);
  }

}
