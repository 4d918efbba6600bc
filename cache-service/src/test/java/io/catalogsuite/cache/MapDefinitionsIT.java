package io.catalogsuite.cache;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Maps an admin defines at runtime ({@code PUT /maps/{name}}): for the whole cluster, and across restarts. */
class MapDefinitionsIT {
  private static final JsonObject SESSIONS = new JsonObject().put("evictionPolicy", "LFU")
      .put("maxMbPerMember", 4).put("ttlSeconds", 60).put("backupCount", 1);

  @TempDir
  Path files;

  private static String mapName() {
    return "m-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private CacheService service(String member) {
    return new CacheService(CacheConfig.fromEnv(
        Map.of("CACHE_DEFINITIONS_FILE", definitionsFile(member).toString())));
  }

  private Path definitionsFile(String member) {
    return files.resolve(member).resolve("cache-maps.json");
  }

  private JsonObject savedIn(String member) throws Exception {
    Path file = definitionsFile(member);
    return Files.exists(file) ? new JsonObject(Files.readString(file)).getJsonObject("maps") : new JsonObject();
  }

  @Test
  void aDefinition_reachesEveryMember_theirFiles_andHazelcast() throws Exception {
    String cluster = TestNodes.uniqueClusterName();
    ServiceNode first = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster), service("a")));
    ServiceNode second = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster), service("b")));
    TestHttp http1 = new TestHttp(first.port());
    TestHttp http2 = new TestHttp(second.port());
    try {
      String name = mapName();
      var created = http1.put("/maps/" + name, SESSIONS);
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      assertThat(created.getHeader("Location")).isEqualTo("/maps/" + name);
      assertThat(created.bodyAsJsonObject().getJsonObject("config")).isEqualTo(SESSIONS);
      assertThat(savedIn("a").getJsonObject(name)).as("kept before the answer").isEqualTo(SESSIONS);

      // At once usable on the other member, whether or not the registry's event has arrived there.
      assertThat(http2.put("/maps/" + name + "/entries/k", new JsonObject().put("a", 1)).statusCode())
          .isEqualTo(201);
      assertThat(http1.get("/maps/" + name + "/entries/k").bodyAsJsonObject()).isEqualTo(new JsonObject().put("a", 1));
      assertThat(http2.get("/maps/" + name).bodyAsJsonObject().getJsonObject("config")).isEqualTo(SESSIONS);
      assertThat(http2.get("/maps").bodyAsJsonObject().getJsonArray("maps").stream()
          .map(map -> ((JsonObject) map).getString("name"))).contains("products", "shared", name);
      Waits.until("the other member's file", Duration.ofSeconds(10), () -> {
        try {
          return SESSIONS.equals(savedIn("b").getJsonObject(name));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });

      // Hazelcast itself holds the map so: evicting by frequency at 4 MiB per member, entries living 60 s.
      for (ServiceNode node : new ServiceNode[] {first, second}) {
        MapConfig config = node.cluster().hazelcast().getConfig().getMapConfig(name);
        assertThat(config.getEvictionConfig().getEvictionPolicy()).isEqualTo(EvictionPolicy.LFU);
        assertThat(config.getEvictionConfig().getSize()).isEqualTo(4);
        assertThat(config.getEvictionConfig().getMaxSizePolicy()).isEqualTo(MaxSizePolicy.USED_HEAP_SIZE);
        assertThat(config.getTimeToLiveSeconds()).isEqualTo(60);
      }

      // Defining it again the same way changes nothing; another way is a conflict, and changes nothing either.
      assertThat(http2.put("/maps/" + name, SESSIONS).statusCode()).isEqualTo(200);
      assertProblem(http2.put("/maps/" + name, SESSIONS.copy().put("maxMbPerMember", 2)), 409);
      assertThat(http1.get("/maps/" + name).bodyAsJsonObject().getJsonObject("config")).isEqualTo(SESSIONS);

      // A member that joins later learns it from the cluster, and keeps it in its own file.
      ServiceNode third = await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster), service("c")));
      assertThat(savedIn("c").getJsonObject(name)).isEqualTo(SESSIONS);
      await(third.stop());
    } finally {
      http1.close();
      http2.close();
      await(second.stop());
      await(first.stop());
    }
  }

  @Test
  void definitions_outliveARestartOfTheWholeCluster() {
    String name = mapName();
    ServiceNode before = await(ServiceNode.start(TestNodes.config(CacheService.NAME, TestNodes.uniqueClusterName()),
        service("a")));
    TestHttp http = new TestHttp(before.port());
    assertThat(http.put("/maps/" + name, new JsonObject().put("ttlSeconds", 5)).statusCode()).isEqualTo(201);
    http.close();
    await(before.stop());

    // Another cluster altogether: nothing of the first is left but the file.
    ServiceNode after = await(ServiceNode.start(TestNodes.config(CacheService.NAME, TestNodes.uniqueClusterName()),
        service("a")));
    TestHttp again = new TestHttp(after.port());
    try {
      assertThat(again.get("/maps/" + name).bodyAsJsonObject().getJsonObject("config")).isEqualTo(new JsonObject()
          .put("evictionPolicy", "LRU").put("maxMbPerMember", 8).put("ttlSeconds", 5).put("backupCount", 1));
      assertThat(after.cluster().hazelcast().getConfig().getMapConfig(name).getTimeToLiveSeconds()).isEqualTo(5);
      assertThat(again.put("/maps/" + name + "/entries/k", new JsonObject()).statusCode()).isEqualTo(201);
    } finally {
      again.close();
      await(after.stop());
    }
  }

  @Test
  void anUnreadableFile_stopsTheStart_namingTheVariable() throws Exception {
    Files.createDirectories(definitionsFile("bad").getParent());
    Files.writeString(definitionsFile("bad"), "{\"maps\": {\"x\": {\"evictionPolicy\": \"FIFO\"}}}");
    assertThatThrownBy(() -> await(ServiceNode.start(
        TestNodes.config(CacheService.NAME, TestNodes.uniqueClusterName()), service("bad"))))
        .hasStackTraceContaining("CACHE_DEFINITIONS_FILE").hasStackTraceContaining("evictionPolicy");
  }

  @Test
  void badDefinitions_getProblems_andDefineNothing() {
    ServiceNode node = await(ServiceNode.start(TestNodes.config(CacheService.NAME, TestNodes.uniqueClusterName()),
        service("a")));
    TestHttp http = new TestHttp(node.port());
    try {
      String name = mapName();
      for (JsonObject body : new JsonObject[] {
          new JsonObject().put("evictionPolicy", "FIFO"),
          new JsonObject().put("maxMbPerMember", 0),
          new JsonObject().put("maxSizePerMember", 100), // maps are bounded by memory now
          new JsonObject().put("ttlSeconds", "60"),
          new JsonObject().put("ttlSeconds", 1.5),
          new JsonObject().put("backupCount", 7),
          new JsonObject().put("inMemoryFormat", "OBJECT")}) {
        var response = http.put("/maps/" + name, body);
        assertProblem(response, 400);
        assertThat(response.bodyAsJsonObject().getJsonArray("errors")).as(body.encode()).hasSize(1);
      }
      assertProblem(http.send(HttpMethod.PUT, "/maps/" + name, "application/json", Buffer.buffer("[1]")), 400);
      assertProblem(http.send(HttpMethod.PUT, "/maps/" + name, "application/json", Buffer.buffer("{")), 400);
      assertProblem(http.put("/maps/Not_A_Name", new JsonObject()), 400);
      assertProblem(http.put("/maps/" + "x".repeat(64), new JsonObject()), 400);
      assertProblem(http.put("/maps/products", new JsonObject()), 409);
      assertProblem(http.put("/maps/shared", new JsonObject()), 409);
      assertProblem(http.put("/maps/__vertx.subs", new JsonObject()), 409);
      assertProblem(http.put("/maps/" + MapDefinitions.REGISTRY, new JsonObject()), 409);
      assertProblem(http.get("/maps/" + name), 404);
      assertProblem(http.put("/maps/" + name + "/entries/k", new JsonObject()), 404);
    } finally {
      http.close();
      await(node.stop());
    }
  }
}
