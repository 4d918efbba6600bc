package io.catalogsuite.launcher;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster holds together under the suite's heaviest load: 500 concurrent reservations and a bulk import at once,
 * through the gateway, on the packaged jars each in its own JVM. Every request is answered (no timeout, no 5xx), and
 * no member suspects another (on a busy 2-core host, a fixed 8 s heartbeat deadline did).
 */
class ClusterUnderLoadIT {
  private static final Path PROJECT_ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  private static final String API_KEY = "load-" + UUID.randomUUID();
  /** What Hazelcast logs when a member stops hearing from another, or drops it. */
  private static final List<String> SUSPICION = List.of("is suspected to be dead", "Suspecting Member",
      "Removing Member");

  private static Fleet fleet;
  private static TestHttp gateway;
  private static final Map<Instance, Long> logStarts = new HashMap<>();

  @BeforeAll
  static void startSuite() throws Exception {
    Path data = Files.createTempDirectory(Path.of("target"), "suite-data"); // the cache maps defined at runtime
    int gatewayPort = Ports.free();
    fleet = new Fleet(PROJECT_ROOT, Path.of("target", "load-logs").toAbsolutePath());
    fleet.requireJars();
    List<InstanceSpec> specs = SuitePlan.instances(1, 2, gatewayPort,
        TestDeployments.create(TestNodes.uniqueClusterName(), API_KEY), TestPostgres.createDatabase(), data).stream()
        .map(ClusterUnderLoadIT::unlimited).toList();
    fleet.start(specs, START_TIMEOUT);
    gateway = new TestHttp(gatewayPort, Map.of("X-API-Key", API_KEY));
  }

  /** One client sends all of it: the gateway's per-client rate limit must not be what answers. */
  private static InstanceSpec unlimited(InstanceSpec spec) {
    if (spec.service() != ServiceKind.GATEWAY) {
      return spec;
    }
    Map<String, String> env = new HashMap<>(spec.env());
    env.put("RATE_LIMITS", "/api/catalog=off");
    return new InstanceSpec(spec.name(), spec.service(), spec.httpPort(), env);
  }

  @AfterAll
  static void stopSuite() {
    if (gateway != null) {
      gateway.close();
    }
    if (fleet != null) {
      fleet.stop(Fleet.STOP_GRACE);
    }
  }

  @Test
  void reservationsAndAnImportAtOnce_everyRequestAnswered_noMemberSuspected() throws IOException {
    for (Instance instance : fleet.instances()) {
      logStarts.put(instance, Files.size(instance.log()));
    }
    String run = "LOAD-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> created = gateway.post("/api/catalog/products", new JsonObject().put("sku", run)
        .put("name", "Contended").put("category", run).put("priceCents", 100).put("currency", "EUR")
        .put("stock", 100));
    long id = created.bodyAsJsonObject().getLong("id");

    Buffer file = Buffer.buffer();
    for (int i = 1; i <= 20_000; i++) {
      file.appendString(new JsonObject().put("sku", run + "-" + i).put("name", "Imported " + i).put("category", run)
          .put("priceCents", i).put("currency", "EUR").put("stock", i % 10).encode()).appendString("\n");
    }
    Future<HttpResponse<Buffer>> upload = gateway.request(HttpMethod.POST, "/api/catalog/imports")
        .putHeader("Content-Type", "application/x-ndjson").sendBuffer(file);
    List<Future<HttpResponse<Buffer>>> reservations = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      reservations.add(gateway.request(HttpMethod.POST, "/api/catalog/products/" + id + "/reservations")
          .sendJsonObject(new JsonObject().put("quantity", 1)));
    }

    Map<Integer, Long> statuses = await(Future.join(reservations)).<HttpResponse<Buffer>>list().stream()
        .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
    assertThat(statuses).as("every reservation answered, none timed out").containsOnly(Map.entry(201, 100L),
        Map.entry(409, 400L));
    HttpResponse<Buffer> accepted = await(upload);
    assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
    JsonObject job = gateway.awaitResponse("/api/catalog/imports/" + accepted.bodyAsJsonObject().getString("id"),
        r -> "completed".equals(r.bodyAsJsonObject().getString("state")), Duration.ofSeconds(120)).bodyAsJsonObject();
    assertThat(job.getLong("rowsDone")).isEqualTo(20_000);
    assertThat(gateway.get("/api/catalog/products/" + id).bodyAsJsonObject().getInteger("stock")).isZero();

    for (Instance instance : fleet.instances()) {
      assertThat(instance.isAlive()).as(instance.name()).isTrue();
      String log = Logs.since(instance.log(), logStarts.get(instance));
      for (String suspicion : SUSPICION) {
        assertThat(log).as("%s's log during the load", instance.name()).doesNotContain(suspicion);
      }
    }
  }
}
