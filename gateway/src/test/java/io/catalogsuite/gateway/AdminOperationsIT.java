package io.catalogsuite.gateway;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The admin API's operations on the balancer, on two real gateways of one cluster in front of two real HTTP
 * servers: an operation sent to one gateway is applied by both, and written to the audit log by each.
 */
class AdminOperationsIT {
  private static final String ADMIN_KEY = "admin-" + UUID.randomUUID();
  private static final String WRITER_KEY = "writer-" + UUID.randomUUID();
  private static final String INSTANCE = "/admin/services/echo-service/instances/";
  private static ServiceNode cache;
  private static ServiceNode a;
  private static ServiceNode b;
  private static Vertx stubs;
  private static TestHttp adminA;
  private static TestHttp adminB;
  /** Requests to echo-1's /slow path, held until a test lets them go. */
  private static final Queue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
  private static final ListAppender<ILoggingEvent> audit = new ListAppender<>();

  @BeforeAll
  static void start() {
    String cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    GatewayConfig config = GatewayConfig.fromEnv(Map.of(
        "GATEWAY_ROUTES", "/api/echo=echo-service",
        "GATEWAY_BALANCING", "echo-service=weighted-round-robin",
        "SLOW_START_MS", "0", "BREAKER_MAX_FAILURES", "3", "BREAKER_RESET_MS", "600000", "RETRY_MAX", "0",
        "EJECT_AFTER_FAILURES", "1000"));
    a = startGateway(cluster, "gw-a", config);
    b = startGateway(cluster, "gw-b", config);
    stubs = Vertx.vertx();
    for (String instance : List.of("echo-1", "echo-2")) {
      HttpServer server = await(stubs.createHttpServer().requestHandler(request -> {
        if (request.path().endsWith("/fail")) {
          request.response().setStatusCode(503).end(instance);
        } else if (request.path().endsWith("/slow") && instance.equals("echo-1")) {
          Promise<Void> release = Promise.promise();
          held.add(release);
          release.future().onComplete(v -> request.response().end(instance));
        } else {
          request.response().end(instance);
        }
      }).listen(0, "127.0.0.1"));
      TestGateway.publish(a, "echo-service", instance, server.actualPort());
    }
    adminA = new TestHttp(a.port(), Map.of("X-API-Key", ADMIN_KEY));
    adminB = new TestHttp(b.port(), Map.of("X-API-Key", ADMIN_KEY));
    TestGateway.awaitInstances(adminA, "echo-service", 2);
    TestGateway.awaitInstances(adminB, "echo-service", 2);
    audit.start();
    ((Logger) LoggerFactory.getLogger("audit")).addAppender(audit);
  }

  private static ServiceNode startGateway(String cluster, String id, GatewayConfig config) {
    String keys = "ops:" + ADMIN_KEY + ":admin,app:" + WRITER_KEY + ":write";
    return await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, id),
        new GatewayService(config, ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", keys)))));
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("audit")).detachAppender(audit);
    adminA.close();
    adminB.close();
    await(stubs.close());
    await(a.stop());
    await(b.stop());
    await(cache.stop());
  }

  /**
   * Each test leaves both instances as it found them: in rotation, at their published weight, on both gateways.
   * Waiting for B's state alone is not enough: an instance B already had in rotation passes at once while its
   * restore is still on its way, and once applied it undid the next test's first operation on B.
   */
  @AfterEach
  void restoreBoth() {
    held.forEach(Promise::tryComplete);
    int before = auditCount();
    for (String instance : List.of("echo-1", "echo-2")) {
      assertThat(await(adminA.request(HttpMethod.POST, INSTANCE + instance + "/restore").send()).statusCode())
          .isEqualTo(200);
      await(adminA.request(HttpMethod.DELETE, INSTANCE + instance + "/weight").send());
    }
    // Four operations, each written to the audit log by A when it applies it and by B when B has received it.
    Waits.until("both gateways to apply the four operations", Duration.ofSeconds(10),
        () -> auditCount() == before + 8);
  }

  @Test
  void aDrainedInstance_getsNoNewRequests_andFinishesThoseInFlight() {
    // A request held by echo-1 (round-robin alternates: at most two tries).
    List<Future<HttpResponse<Buffer>>> slow = new ArrayList<>();
    while (held.isEmpty()) {
      Future<HttpResponse<Buffer>> sent = adminA.request(HttpMethod.GET, "/api/echo/slow").send();
      slow.add(sent);
      Waits.until("a slow request answered or held", Duration.ofSeconds(5), () -> !held.isEmpty() || sent.isComplete());
    }
    JsonObject drained = post(adminA, "echo-1", "drain").bodyAsJsonArray().getJsonObject(0);
    assertThat(drained.getString("state")).isEqualTo("draining");
    assertThat(drained.getInteger("inFlight")).isEqualTo(1);

    assertThat(answers(adminA, 10)).containsOnlyKeys("echo-2");
    awaitState(adminB, "echo-1", "draining"); // the other gateway applied it too
    assertThat(answers(adminB, 10)).containsOnlyKeys("echo-2");

    held.poll().complete();
    HttpResponse<Buffer> finished = await(slow.get(slow.size() - 1));
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(finished.bodyAsString()).isEqualTo("echo-1");
    assertThat(auditLines("drain on echo-service/echo-1 by ops (received by gateway gw-a)")).isEqualTo(2);
  }

  @Test
  void anEjectedInstance_isOut_untilRestored_onEveryGateway() {
    assertThat(post(adminB, "echo-2", "eject").bodyAsJsonArray().getJsonObject(0).getString("state"))
        .isEqualTo("out");
    awaitState(adminA, "echo-2", "out");
    assertThat(answers(adminA, 10)).containsOnlyKeys("echo-1");

    post(adminA, "echo-2", "restore");
    awaitState(adminB, "echo-2", "in-rotation");
    assertThat(answers(adminB, 10)).containsOnlyKeys("echo-1", "echo-2");
  }

  @Test
  void aWeightSetOnOneGateway_shapesTheSplitOnTheOther() {
    HttpResponse<Buffer> set = await(adminA.request(HttpMethod.PUT, INSTANCE + "echo-1/weight")
        .sendJsonObject(new JsonObject().put("weight", 3)));
    assertThat(set.statusCode()).isEqualTo(200);
    adminB.awaitResponse("/admin/services", r -> instance(r.bodyAsJsonObject(), "echo-1").getInteger("weight") == 3,
        Duration.ofSeconds(10));
    assertThat(answers(adminB, 40)).containsEntry("echo-1", 30).containsEntry("echo-2", 10);
  }

  @Test
  void aResetBreaker_isClosedAgain() {
    for (int i = 0; i < 5; i++) {
      await(adminA.request(HttpMethod.GET, "/api/echo/fail").send());
    }
    assertThat(breaker(adminA)).isEqualTo("open");
    HttpResponse<Buffer> reset = await(adminB.request(HttpMethod.POST, "/admin/services/echo-service/breaker/reset")
        .send());
    assertThat(reset.statusCode()).isEqualTo(200);
    adminA.awaitResponse("/admin/services", r -> "closed".equals(r.bodyAsJsonObject().getJsonObject("services")
        .getJsonObject("echo-service").getString("circuitBreaker")), Duration.ofSeconds(10));
    assertThat(answers(adminA, 4)).containsOnlyKeys("echo-1", "echo-2");
  }

  @Test
  void everyDoor_isTheAdminsOnly_andBadInputGetsAProblem() {
    assertProblem(await(new TestHttp(a.port()).request(HttpMethod.POST, INSTANCE + "echo-1/drain").send()), 401);
    assertProblem(await(new TestHttp(a.port(), Map.of("X-API-Key", WRITER_KEY))
        .request(HttpMethod.POST, INSTANCE + "echo-1/drain").send()), 403);
    assertProblem(await(adminA.request(HttpMethod.POST, INSTANCE + "echo-9/drain").send()), 404);
    assertProblem(await(adminA.request(HttpMethod.POST, "/admin/services/nothing/breaker/reset").send()), 404);
    for (Object weight : new Object[] {0, 1001, "3", 2.5}) {
      assertProblem(await(adminA.request(HttpMethod.PUT, INSTANCE + "echo-1/weight")
          .sendJsonObject(new JsonObject().put("weight", weight))), 400);
    }
    assertProblem(await(adminA.request(HttpMethod.PUT, INSTANCE + "echo-1/weight")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{"))), 400);
    assertThat(instance(adminA.get("/admin/services").bodyAsJsonObject(), "echo-1").getString("state"))
        .as("nothing applied").isEqualTo("in-rotation");
  }

  private static HttpResponse<Buffer> post(TestHttp http, String instance, String action) {
    HttpResponse<Buffer> response = await(http.request(HttpMethod.POST, INSTANCE + instance + "/" + action).send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response;
  }

  /** Who answered {@code count} requests through a gateway, by instance. */
  private static Map<String, Integer> answers(TestHttp http, int count) {
    Map<String, Integer> answers = new HashMap<>();
    for (int i = 0; i < count; i++) {
      HttpResponse<Buffer> response = await(http.request(HttpMethod.GET, "/api/echo/item").send());
      assertThat(response.statusCode()).isEqualTo(200);
      answers.merge(response.bodyAsString(), 1, Integer::sum);
    }
    return answers;
  }

  private static void awaitState(TestHttp http, String instance, String state) {
    http.awaitResponse("/admin/services", r -> state.equals(instance(r.bodyAsJsonObject(), instance)
        .getString("state")), Duration.ofSeconds(10));
  }

  private static JsonObject instance(JsonObject services, String id) {
    JsonArray instances = services.getJsonObject("services").getJsonObject("echo-service").getJsonArray("instances");
    return instances.stream().map(JsonObject.class::cast).filter(i -> i.getString("instanceId").equals(id))
        .findFirst().orElseThrow();
  }

  private static String breaker(TestHttp http) {
    return http.get("/admin/services").bodyAsJsonObject().getJsonObject("services").getJsonObject("echo-service")
        .getString("circuitBreaker");
  }

  /** Lines are appended under the appender's lock (AppenderBase.doAppend), so they are read under it too. */
  private static long auditLines(String text) {
    synchronized (audit) {
      return audit.list.stream().filter(e -> e.getFormattedMessage().endsWith(text)).count();
    }
  }

  private static int auditCount() {
    synchronized (audit) {
      return audit.list.size();
    }
  }
}
