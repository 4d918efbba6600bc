package io.catalogsuite.catalog;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.catalog.CatalogCluster.newProduct;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two real catalog-service members and one cache-service member, on a real Postgres, over real HTTP. */
class CatalogServiceIT {
  private static CatalogCluster cluster;
  private static ServiceNode catalogA;
  private static ServiceNode catalogB;
  private static TestHttp a;
  private static TestHttp b;
  private static SqlClient sql;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(2, 60);
    catalogA = cluster.catalog(0);
    catalogB = cluster.catalog(1);
    a = cluster.http(0);
    b = cluster.http(1);
    sql = cluster.sql();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static JsonObject create(TestHttp http, JsonObject product) {
    HttpResponse<Buffer> created = http.post("/products", product);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static long rowCount(String category) {
    return await(sql.preparedQuery("SELECT count(*) FROM products WHERE category = $1").execute(Tuple.of(category)))
        .iterator().next().getLong(0);
  }

  /**
   * A response that cannot be made is still an answer: a 500 problem at once, not a client left waiting. Here the
   * row was written behind the service's back (the API refuses such nesting), 998 levels deep: it reads, but a
   * page holding it is too deep to encode, which used to fail inside a callback that never answered.
   */
  @Test
  void responseThatCannotBeMade_500AtOnce() {
    String category = "deep-" + UUID.randomUUID();
    String attributes = "{\"k\":".repeat(997) + "{\"v\":1}" + "}".repeat(997);
    await(sql.preparedQuery("INSERT INTO products (sku, name, category, price_cents, currency, stock, attributes)"
        + " VALUES ($1, 'deep', $2, 1, 'EUR', 1, $3::text::jsonb)")
        .execute(Tuple.of("deep-" + UUID.randomUUID().toString().substring(0, 8), category, attributes)));
    long start = System.nanoTime();
    HttpResponse<Buffer> page = a.get("/products?category=" + category);
    assertThat(page.statusCode()).isEqualTo(500);
    assertThat(page.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(page.bodyAsString()).doesNotContain("Exception").doesNotContain("at io.");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void crud_lifecycle() {
    JsonObject input = newProduct("crud-" + UUID.randomUUID());
    HttpResponse<Buffer> created = a.post("/products", input);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject product = created.bodyAsJsonObject();
    long id = product.getLong("id");
    assertThat(created.getHeader("Location")).isEqualTo("/products/" + id);
    assertThat(created.getHeader("ETag")).isEqualTo("\"1\"");
    assertThat(product.getInteger("version")).isEqualTo(1);
    assertThat(product.getString("createdAt")).isEqualTo(product.getString("updatedAt")).endsWith("Z");
    for (String field : List.of("sku", "name", "description", "category", "priceCents", "currency", "stock",
        "attributes")) {
      assertThat(product.getValue(field)).as(field).isEqualTo(input.getValue(field));
    }

    HttpResponse<Buffer> got = b.get("/products/" + id);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.getHeader("ETag")).isEqualTo("\"1\"");
    assertThat(got.bodyAsJsonObject()).isEqualTo(product);

    HttpResponse<Buffer> replaced = await(b.request(HttpMethod.PUT, "/products/" + id).putHeader("If-Match", "\"1\"")
        .sendJsonObject(input.copy().put("name", "Floor lamp").put("stock", 0)));
    assertThat(replaced.statusCode()).as(replaced.bodyAsString()).isEqualTo(200);
    assertThat(replaced.getHeader("ETag")).isEqualTo("\"2\"");
    assertThat(replaced.bodyAsJsonObject().getString("name")).isEqualTo("Floor lamp");
    assertThat(replaced.bodyAsJsonObject().getInteger("version")).isEqualTo(2);

    HttpResponse<Buffer> stale = await(a.request(HttpMethod.PUT, "/products/" + id).putHeader("If-Match", "\"1\"")
        .sendJsonObject(input.copy().put("name", "Lost update")));
    assertProblem(stale, 412);
    assertThat(a.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Floor lamp");

    HttpResponse<Buffer> notModified = await(a.request(HttpMethod.GET, "/products/" + id)
        .putHeader("If-None-Match", "\"2\"").send());
    assertThat(notModified.statusCode()).isEqualTo(304);

    assertThat(a.delete("/products/" + id).statusCode()).isEqualTo(204);
    assertProblem(a.get("/products/" + id), 404);
    assertProblem(b.get("/products/" + id), 404);
    assertProblem(b.delete("/products/" + id), 404);
  }

  /** Reads after a product's first on each instance come from the caches, not Postgres. */
  @Test
  void laterReads_servedFromCache_notPostgres() {
    long id = create(a, newProduct("cache-" + UUID.randomUUID())).getLong("id");
    assertThat(a.get("/products/" + id).statusCode()).isEqualTo(200); // fills the caches
    assertThat(b.get("/products/" + id).statusCode()).isEqualTo(200);
    // Change the row behind the service's back: a read that reached Postgres would see it.
    await(sql.preparedQuery("UPDATE products SET name = 'changed in SQL' WHERE id = $1").execute(Tuple.of(id)));

    assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Desk lamp");
    assertThat(a.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Desk lamp");
  }

  @Test
  void update_onOneInstance_noStaleReadOnAnother() {
    JsonObject input = newProduct("stale-" + UUID.randomUUID());
    long id = create(a, input).getLong("id");
    assertThat(a.get("/products/" + id).statusCode()).isEqualTo(200);
    assertThat(b.get("/products/" + id).statusCode()).isEqualTo(200);

    for (int round = 1; round <= 5; round++) {
      String name = "name " + round;
      assertThat(a.put("/products/" + id, input.copy().put("name", name)).statusCode()).isEqualTo(200);
      assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo(name);
      assertThat(a.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo(name);
    }
  }

  @Test
  void delete_onOneInstance_noStaleReadOnAnother() {
    long id = create(a, newProduct("gone-" + UUID.randomUUID())).getLong("id");
    assertThat(b.get("/products/" + id).statusCode()).isEqualTo(200);
    assertThat(a.delete("/products/" + id).statusCode()).isEqualTo(204);
    assertProblem(b.get("/products/" + id), 404);
  }

  @Test
  void duplicateSku_conflict_andNothingWritten() {
    String category = "dup-" + UUID.randomUUID();
    JsonObject input = newProduct(category);
    create(a, input);
    assertProblem(b.post("/products", input.copy().put("name", "Other")), 409);
    assertThat(rowCount(category)).isEqualTo(1);

    long other = create(a, newProduct(category)).getLong("id");
    assertProblem(a.put("/products/" + other, input), 409); // taking another product's sku by replace
  }

  @Test
  void invalidInput_problems_andNothingWritten() {
    String category = "bad-" + UUID.randomUUID();
    HttpResponse<Buffer> invalid = a.post("/products", newProduct(category).put("priceCents", -5).put("currency", "eu"));
    assertProblem(invalid, 400);
    JsonArray errors = invalid.bodyAsJsonObject().getJsonArray("errors");
    assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")))
        .containsExactlyInAnyOrder("/priceCents", "/currency");

    assertProblem(a.send(HttpMethod.POST, "/products", "application/json", Buffer.buffer("{\"sku\": ")), 400);
    assertProblem(a.send(HttpMethod.POST, "/products", "application/json", Buffer.buffer("[1,2]")), 400);
    assertProblem(a.send(HttpMethod.POST, "/products", "application/json", Buffer.buffer("")), 400);
    assertProblem(a.send(HttpMethod.POST, "/products", "text/plain", newProduct(category).toBuffer()), 415);
    assertProblem(a.send(HttpMethod.POST, "/products", null, newProduct(category).toBuffer()), 415);
    JsonObject huge = newProduct(category).put("description", "x".repeat(1024 * 1024));
    assertProblem(a.send(HttpMethod.POST, "/products", "application/json", huge.toBuffer()), 413);
    assertProblem(a.post("/products", newProduct(category).put("name", "nul\u0000byte")), 400);
    assertProblem(a.post("/products", newProduct(category).put("name", "lone \ud800 surrogate")), 400);
    JsonObject deep = new JsonObject().put("v", 1);
    for (int i = 0; i < 998; i++) { // accepted once, and then every listing page holding it failed to encode
      deep = new JsonObject().put("k", deep);
    }
    assertProblem(a.post("/products", newProduct(category).put("attributes", deep)), 400);
    assertProblem(a.post("/products", newProduct(category).put("stock", "5")), 400);
    assertProblem(a.post("/products", newProduct(category).put("priceCents", 1e30)), 400);

    assertProblem(a.get("/products/abc"), 400);
    assertProblem(a.get("/products/0"), 400);
    assertProblem(a.get("/products/99999999999999999999"), 400);
    assertProblem(a.get("/products/9223372036854775807"), 404);
    assertProblem(a.put("/products/9223372036854775807", newProduct(category)), 404);
    assertProblem(a.get("/products?limit=0"), 400);
    assertProblem(a.get("/products?limit=101"), 400);
    assertProblem(a.get("/products?limit=ten"), 400);
    assertProblem(a.get("/products?cursor=not-a-cursor"), 400);
    assertThat(rowCount(category)).isZero();
  }

  @Test
  void injectionAndUnicode_storedVerbatim() {
    String category = "🚀 '; DROP TABLE products; --";
    JsonObject input = newProduct(category).put("name", "Robert'); DROP TABLE products;-- ✓ 漢字")
        .put("attributes", new JsonObject().put("q", "' OR 1=1 --").put("emoji", "👍"));
    long id = create(a, input).getLong("id");
    JsonObject read = b.get("/products/" + id).bodyAsJsonObject();
    assertThat(read.getString("name")).isEqualTo(input.getString("name"));
    assertThat(read.getString("category")).isEqualTo(category);
    assertThat(read.getJsonObject("attributes")).isEqualTo(input.getJsonObject("attributes"));
    JsonObject page = a.get("/products?category=" + java.net.URLEncoder.encode(category,
        java.nio.charset.StandardCharsets.UTF_8)).bodyAsJsonObject();
    assertThat(page.getJsonArray("items")).hasSize(1);
  }

  @Test
  void keysetPagination_noRepeatNoSkip_whileInserting() {
    String category = "page-" + UUID.randomUUID();
    Set<Long> created = new HashSet<>();
    for (int i = 0; i < 45; i++) {
      created.add(create(a, newProduct(category)).getLong("id"));
    }
    List<Long> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path = "/products?limit=20&category=" + category + (cursor == null ? "" : "&cursor=" + cursor);
      JsonObject page = (pages % 2 == 0 ? a : b).get(path).bodyAsJsonObject();
      page.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getLong("id")));
      cursor = page.getString("nextCursor");
      pages++;
      if (pages == 1) { // rows added mid-way land after the cursor: they are seen once, never repeated
        created.add(create(b, newProduct(category)).getLong("id"));
      }
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).doesNotHaveDuplicates().isSorted();
    assertThat(new HashSet<>(seen)).isEqualTo(created);

    JsonObject firstPage = a.get("/products?category=" + category).bodyAsJsonObject();
    assertThat(firstPage.getJsonArray("items")).hasSize(20); // the default limit
  }

  @Test
  void concurrentCreates_allStored_noneLost() {
    String category = "burst-" + UUID.randomUUID();
    int count = 300;
    List<Future<HttpResponse<Buffer>>> requests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TestHttp http = i % 2 == 0 ? a : b;
      requests.add(http.request(HttpMethod.POST, "/products").sendJsonObject(newProduct(category)));
    }
    List<HttpResponse<Buffer>> responses = await(Future.all(requests)).list();
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
    assertThat(responses.stream().map(r -> r.bodyAsJsonObject().getLong("id")).distinct()).hasSize(count);
    assertThat(rowCount(category)).isEqualTo(count);
  }

  @Test
  void reservation_takesStock_updatesVersionAndCache() {
    long id = create(a, newProduct("reserve-" + UUID.randomUUID()).put("stock", 5)).getLong("id");
    assertThat(b.get("/products/" + id).bodyAsJsonObject().getInteger("stock")).isEqualTo(5); // cached on b

    HttpResponse<Buffer> reserved = a.post("/products/" + id + "/reservations", new JsonObject().put("quantity", 3));
    assertThat(reserved.statusCode()).as(reserved.bodyAsString()).isEqualTo(201);
    JsonObject reservation = reserved.bodyAsJsonObject();
    assertThat(reservation.getLong("productId")).isEqualTo(id);
    assertThat(reservation.getInteger("quantity")).isEqualTo(3);
    assertThat(reservation.getInteger("remainingStock")).isEqualTo(2);
    assertThat(reservation.getLong("id")).isPositive();

    JsonObject product = b.get("/products/" + id).bodyAsJsonObject(); // not the cached stock 5
    assertThat(product.getInteger("stock")).isEqualTo(2);
    assertThat(product.getInteger("version")).isEqualTo(2);

    HttpResponse<Buffer> short_ = b.post("/products/" + id + "/reservations", new JsonObject().put("quantity", 3));
    assertProblem(short_, 409);
    assertThat(short_.bodyAsJsonObject().getString("detail")).contains("2 in stock");
    assertProblem(a.post("/products/9223372036854775807/reservations", new JsonObject().put("quantity", 1)), 404);
    for (JsonObject bad : List.of(new JsonObject().put("quantity", 0), new JsonObject().put("quantity", "1"),
        new JsonObject().put("quantity", 1.5), new JsonObject(), new JsonObject().put("quantity", 1).put("x", 1))) {
      assertProblem(a.post("/products/" + id + "/reservations", bad), 400);
    }
    long rows = await(sql.preparedQuery("SELECT count(*) FROM reservations WHERE product_id = $1")
        .execute(Tuple.of(id))).iterator().next().getLong(0);
    assertThat(rows).isEqualTo(1);
  }

  static HttpResponse<Buffer> postWithKey(TestHttp http, String path, String key, JsonObject body) {
    return await(http.request(HttpMethod.POST, path).putHeader("Idempotency-Key", key).sendJsonObject(body));
  }

  @Test
  void idempotencyKey_retryReplaysTheFirstResponse_andWritesOnce() {
    String category = "idem-" + UUID.randomUUID();
    JsonObject input = newProduct(category);
    String key = "key-" + UUID.randomUUID();
    HttpResponse<Buffer> first = postWithKey(a, "/products", key, input);
    HttpResponse<Buffer> retry = postWithKey(b, "/products", key, input);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.getHeader("Idempotent-Replayed")).isNull();
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(retry.getHeader("Location")).isEqualTo(first.getHeader("Location"));
    assertThat(rowCount(category)).isEqualTo(1);

    assertProblem(postWithKey(a, "/products", key, newProduct(category)), 422); // same key, another body
    assertProblem(postWithKey(a, "/products", "bad key with spaces", newProduct(category)), 400);
    assertThat(rowCount(category)).isEqualTo(1);
  }

  /** A key is its principal's: the same key from another client is another request, not the first's replay. */
  @Test
  void idempotencyKey_scopedToThePrincipal() {
    String category = "idem-who-" + UUID.randomUUID();
    String key = "shared-" + UUID.randomUUID();
    JsonObject input = newProduct(category);
    HttpResponse<Buffer> alice = await(a.request(HttpMethod.POST, "/products").putHeader("Idempotency-Key", key)
        .putHeader("X-Principal", "alice").sendJsonObject(input));
    HttpResponse<Buffer> bob = await(a.request(HttpMethod.POST, "/products").putHeader("Idempotency-Key", key)
        .putHeader("X-Principal", "bob").sendJsonObject(input.copy().put("sku", input.getString("sku") + "-b")));
    assertThat(alice.statusCode()).isEqualTo(201);
    assertThat(bob.statusCode()).isEqualTo(201);
    assertThat(bob.getHeader("Idempotent-Replayed")).isNull();
    assertThat(bob.bodyAsJsonObject().getLong("id")).isNotEqualTo(alice.bodyAsJsonObject().getLong("id"));
    HttpResponse<Buffer> aliceAgain = await(b.request(HttpMethod.POST, "/products")
        .putHeader("Idempotency-Key", key).putHeader("X-Principal", "alice").sendJsonObject(input));
    assertThat(aliceAgain.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(rowCount(category)).isEqualTo(2);
  }

  @Test
  void idempotencyKey_concurrentDuplicates_oneWrite() {
    String category = "idem-race-" + UUID.randomUUID();
    JsonObject input = newProduct(category);
    String key = "race-" + UUID.randomUUID();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add((i % 2 == 0 ? a : b).request(HttpMethod.POST, "/products").putHeader("Idempotency-Key", key)
          .sendJsonObject(input));
    }
    List<HttpResponse<Buffer>> responses = await(Future.all(sent)).list();
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201));
    assertThat(responses.stream().map(r -> r.bodyAsJsonObject().getLong("id")).distinct()).hasSize(1);
    assertThat(responses.stream().filter(r -> r.getHeader("Idempotent-Replayed") != null)).hasSize(9);
    assertThat(rowCount(category)).isEqualTo(1);
  }

  @Test
  void idempotencyKey_reservationTakesStockOnce() {
    long id = create(a, newProduct("idem-res-" + UUID.randomUUID()).put("stock", 10)).getLong("id");
    String key = "res-" + UUID.randomUUID();
    JsonObject body = new JsonObject().put("quantity", 4);
    HttpResponse<Buffer> first = postWithKey(a, "/products/" + id + "/reservations", key, body);
    HttpResponse<Buffer> retry = postWithKey(b, "/products/" + id + "/reservations", key, body);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.bodyAsJsonObject()).isEqualTo(first.bodyAsJsonObject());
    assertThat(a.get("/products/" + id).bodyAsJsonObject().getInteger("stock")).isEqualTo(6);
  }

  @Test
  void everyResponse_carriesInstanceId() {
    assertThat(a.get("/products/abc").getHeader("X-Instance-Id")).isEqualTo(catalogA.config().instanceId());
    assertThat(b.get("/health").getHeader("X-Instance-Id")).isEqualTo(catalogB.config().instanceId());
    HttpResponse<Buffer> ready = a.get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getMap()).containsEntry("postgres", "UP")
        .containsEntry("cluster", "UP");
  }

}
