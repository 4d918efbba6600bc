package io.catalogsuite.cache;

import static io.catalogsuite.testing.TestHttp.await;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.EvictionPolicy;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.ContractResponses;
import io.catalogsuite.testing.ContractRoutes;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * cache-service and its OpenAPI document cannot drift: the document it serves has an operation for every route of
 * its router and a route for every operation, and every operation, answering as it does (successes and problems),
 * answers as the document says. On a real cache-service member.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheContractIT {
  @TempDir
  static Path files;
  private static ServiceNode cache;
  private static TestHttp http;
  private static JsonObject document;
  private static ContractResponses contract;

  @BeforeAll
  static void start() {
    CacheConfig config = new CacheConfig(new CacheConfig.MapSettings(EvictionPolicy.LRU, 16, 600, 1),
        new CacheConfig.MapSettings(EvictionPolicy.LFU, 8, 3600, 1), files.resolve("cache-maps.json"));
    cache = await(ServiceNode.start(TestNodes.config(CacheService.NAME, TestNodes.uniqueClusterName()),
        new CacheService(config)));
    http = new TestHttp(cache.port());
    HttpResponse<Buffer> served = http.get("/openapi.json");
    assertThat(served.statusCode()).isEqualTo(200);
    document = served.bodyAsJsonObject();
    contract = ContractResponses.of(document);
  }

  @AfterAll
  static void stop() {
    contract.close();
    http.close();
    await(cache.stop());
  }

  private static HttpResponse<Buffer> get(String path) {
    return contract.check(GET, path, http.get(path));
  }

  private static HttpResponse<Buffer> put(String path, JsonObject body) {
    return contract.check(PUT, path, http.put(path, body));
  }

  @Test
  @Order(1)
  void everyRoute_isAnOperation_andEveryOperationARoute() {
    ContractRoutes.assertMatch(cache.router(cache.vertx()), document, Map.of());
  }

  @Test
  @Order(2)
  void maps_answerAsDocumented() {
    assertThat(get("/maps").bodyAsJsonObject().getJsonArray("maps")).isNotEmpty();
    assertThat(get("/maps/shared").statusCode()).isEqualTo(200);
    assertThat(get("/maps/products").bodyAsJsonObject().getJsonObject("config").getBoolean("readOnly")).isTrue();
    assertThat(get("/maps/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/maps/shared/stats").statusCode()).isEqualTo(200);
    assertThat(get("/maps/nothing-here/stats").statusCode()).isEqualTo(404);

    String name = "contract-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject settings = new JsonObject().put("evictionPolicy", "LFU").put("maxMbPerMember", 4);
    assertThat(put("/maps/" + name, settings).statusCode()).isEqualTo(201);
    assertThat(put("/maps/" + name, settings).statusCode()).isEqualTo(200);
    assertThat(put("/maps/" + name, settings.copy().put("maxMbPerMember", 5)).statusCode()).isEqualTo(409);
    assertThat(put("/maps/" + name + "-2", new JsonObject().put("maxSizePerMember", 5)).statusCode())
        .isEqualTo(400);
    assertThat(contract.check(PUT, "/maps/" + name, http.send(PUT, "/maps/" + name, "text/plain",
        Buffer.buffer("{}"))).statusCode()).isEqualTo(415);
    assertThat(contract.check(PUT, "/maps/" + name, http.send(PUT, "/maps/" + name, "application/json",
        Buffer.buffer("{\"evictionPolicy\":\"" + "L".repeat(5000) + "\"}"))).statusCode()).isEqualTo(413);
  }

  @Test
  @Order(3)
  void entries_answerAsDocumented() {
    String entry = "/maps/shared/entries/k-" + UUID.randomUUID();
    assertThat(put(entry + "?ttlSeconds=60", new JsonObject().put("hello", "world")).statusCode()).isEqualTo(201);
    assertThat(contract.check(PUT, entry, http.send(PUT, entry, "application/json",
        new JsonArray().add(1).toBuffer())).statusCode()).isEqualTo(200);
    assertThat(get(entry).bodyAsJsonArray()).containsExactly(1);
    assertThat(put(entry + "?ttlSeconds=0", new JsonObject()).statusCode()).isEqualTo(400);
    assertThat(put("/maps/products/entries/1", new JsonObject()).statusCode()).isEqualTo(403);
    assertThat(put("/maps/nothing-here/entries/1", new JsonObject()).statusCode()).isEqualTo(404);
    assertThat(contract.check(PUT, entry, http.send(PUT, entry, "text/plain", Buffer.buffer("1"))).statusCode())
        .isEqualTo(415);
    assertThat(contract.check(PUT, entry, http.send(PUT, entry, "application/json",
        Buffer.buffer("\"" + "x".repeat(1024 * 1024) + "\""))).statusCode()).isEqualTo(413);

    assertThat(get("/maps/products/entries/1").statusCode()).isEqualTo(404);
    assertThat(get("/maps/products/entries/one").statusCode()).isEqualTo(400);

    assertThat(contract.check(DELETE, entry, http.delete(entry)).statusCode()).isEqualTo(204);
    assertThat(contract.check(DELETE, entry, http.delete(entry)).statusCode()).isEqualTo(404);
    assertThat(get(entry).statusCode()).isEqualTo(404);
    String products = "/maps/products/entries/1";
    assertThat(contract.check(DELETE, products, http.delete(products)).statusCode()).isEqualTo(403);
  }

  @Test
  @Order(4)
  void nodeEndpoints_answerAsDocumented() {
    for (String path : ContractRoutes.nodePaths()) {
      assertThat(get(path).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  @Order(5)
  void everyOperation_wasChecked() {
    assertThat(contract.unchecked()).isEmpty();
  }
}
