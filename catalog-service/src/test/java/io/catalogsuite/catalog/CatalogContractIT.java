package io.catalogsuite.catalog;

import static io.catalogsuite.catalog.CatalogCluster.newProduct;
import static io.catalogsuite.testing.TestHttp.await;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.ContractResponses;
import io.catalogsuite.testing.ContractRoutes;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.TestHttp;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * catalog-service and its OpenAPI document cannot drift: the document it serves has an operation for every route
 * of its router and a route for every operation, and every operation, answering as it does (successes and
 * problems), answers as the document says. On a real catalog-service member, one cache-service member and Postgres.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatalogContractIT {
  private static CatalogCluster cluster;
  private static ServiceNode catalog;
  private static TestHttp http;
  private static JsonObject document;
  private static ContractResponses contract;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(1, 60);
    catalog = cluster.catalog(0);
    http = cluster.http(0);
    HttpResponse<Buffer> served = http.get("/openapi.json");
    assertThat(served.statusCode()).isEqualTo(200);
    document = served.bodyAsJsonObject();
    contract = ContractResponses.of(document);
  }

  @AfterAll
  static void stop() {
    contract.close();
    cluster.close();
  }

  private static HttpResponse<Buffer> checked(HttpMethod method, String path, HttpResponse<Buffer> response) {
    return contract.check(method, path, response);
  }

  private static HttpResponse<Buffer> get(String path) {
    return checked(GET, path, http.get(path));
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return checked(POST, path, http.post(path, body));
  }

  @Test
  @Order(1)
  void everyRoute_isAnOperation_andEveryOperationARoute() {
    ContractRoutes.assertMatch(catalog.router(catalog.vertx()), document, Map.of());
  }

  @Test
  @Order(2)
  void products_answerAsDocumented() {
    String category = "contract-" + UUID.randomUUID();
    JsonObject input = newProduct(category);
    JsonObject product = post("/products", input).bodyAsJsonObject();
    long id = product.getLong("id");
    assertThat(post("/products", input).statusCode()).isEqualTo(409);
    assertThat(post("/products", new JsonObject().put("sku", 7)).statusCode()).isEqualTo(400);
    assertThat(checked(POST, "/products", http.send(POST, "/products", "text/plain", Buffer.buffer("{}")))
        .statusCode()).isEqualTo(415);
    assertThat(checked(POST, "/products", http.send(POST, "/products", "application/json",
        Buffer.buffer("\"" + "x".repeat(1024 * 1024) + "\""))).statusCode()).isEqualTo(413);
    String key = "contract-" + UUID.randomUUID();
    assertThat(checked(POST, "/products", await(http.request(POST, "/products").putHeader("Idempotency-Key", key)
        .sendJsonObject(newProduct(category)))).statusCode()).isEqualTo(201);
    assertThat(checked(POST, "/products", await(http.request(POST, "/products").putHeader("Idempotency-Key", key)
        .sendJsonObject(newProduct(category)))).statusCode()).isEqualTo(422);

    assertThat(get("/products/" + id).statusCode()).isEqualTo(200);
    assertThat(checked(GET, "/products/" + id, await(http.request(GET, "/products/" + id)
        .putHeader("If-None-Match", "\"1\"").send())).statusCode()).isEqualTo(304);
    assertThat(get("/products/x").statusCode()).isEqualTo(400);
    assertThat(get("/products/999999999").statusCode()).isEqualTo(404);

    assertThat(get("/products?category=" + category + "&limit=1").bodyAsJsonObject().getString("nextCursor"))
        .isNotNull();
    assertThat(get("/products?q=lamp&sort=price&inStock=true&minPrice=1&maxPrice=100000").statusCode())
        .isEqualTo(200);
    assertThat(get("/products?sort=sideways").statusCode()).isEqualTo(400);

    String path = "/products/" + id;
    assertThat(checked(PUT, path, http.put(path, input.copy().put("stock", 3))).statusCode()).isEqualTo(200);
    assertThat(checked(PUT, path, await(http.request(PUT, path).putHeader("If-Match", "\"1\"")
        .sendJsonObject(input))).statusCode()).isEqualTo(412);
    assertThat(checked(PUT, "/products/999999999", http.put("/products/999999999", input)).statusCode())
        .isEqualTo(404);
    assertThat(checked(PUT, path, http.put(path, new JsonObject())).statusCode()).isEqualTo(400);

    String reservations = path + "/reservations";
    assertThat(post(reservations, new JsonObject().put("quantity", 2)).statusCode()).isEqualTo(201);
    assertThat(post(reservations, new JsonObject().put("quantity", 2)).statusCode()).isEqualTo(409);
    assertThat(post(reservations, new JsonObject().put("quantity", 0)).statusCode()).isEqualTo(400);
    assertThat(post("/products/999999999/reservations", new JsonObject().put("quantity", 1)).statusCode())
        .isEqualTo(404);

    assertThat(checked(DELETE, path, http.delete(path)).statusCode()).isEqualTo(204);
    assertThat(checked(DELETE, path, http.delete(path)).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(3)
  void events_answerAsDocumented() {
    String url = "http://127.0.0.1:" + catalog.port() + "/events";
    try (EventStreamClient stream = EventStreamClient.open(url, Map.of())) {
      contract.check(GET, "/events", stream.status(),
          MultiMap.caseInsensitiveMultiMap().add("Content-Type", stream.header("Content-Type")), null);
      assertThat(stream.status()).isEqualTo(200);
    }
    assertThat(checked(GET, "/events", await(http.request(GET, "/events").putHeader("Last-Event-ID", "soon")
        .send())).statusCode()).isEqualTo(400);
  }

  @Test
  @Order(4)
  void imports_answerAsDocumented() {
    String line = newProduct("contract-import-" + UUID.randomUUID()).encode();
    HttpResponse<Buffer> accepted = checked(POST, "/imports", http.send(POST, "/imports", "application/x-ndjson",
        Buffer.buffer(line + "\nnot json\n")));
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    String job = "/imports/" + accepted.bodyAsJsonObject().getString("id");
    http.awaitResponse(job, response -> "completed".equals(response.bodyAsJsonObject().getString("state")),
        Duration.ofSeconds(60));
    assertThat(get(job).bodyAsJsonObject().getJsonArray("errors")).hasSize(1);
    assertThat(checked(POST, "/imports", http.send(POST, "/imports", "application/json", Buffer.buffer(line)))
        .statusCode()).isEqualTo(415);
    assertThat(checked(POST, "/imports", http.send(POST, "/imports", "application/x-ndjson", Buffer.buffer("\n")))
        .statusCode()).isEqualTo(400);
    assertThat(get("/imports/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
    assertThat(get("/imports/42").statusCode()).isEqualTo(400);
  }

  @Test
  @Order(5)
  void nodeEndpoints_answerAsDocumented() {
    for (String path : ContractRoutes.nodePaths()) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  @Order(6)
  void everyOperation_wasChecked() {
    assertThat(contract.unchecked()).isEmpty();
  }
}
