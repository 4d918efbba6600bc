package io.catalogsuite.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.balance.Strategy;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.types.HttpEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which instances a request may go to: availability, panic mode and slow start. */
class BackendCandidatesTest {
  // eject after 1 failure for 60 s, panic below 50 %, probes N=1 M=1, slow start 10 s
  static final HealthPolicy POLICY = new HealthPolicy(1, 60_000, 60_000, 50, 1_000, 1, 1, 10_000);
  private Vertx vertx;

  @BeforeEach
  void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() {
    vertx.close();
  }

  Backend backend(int instances) {
    ServiceDirectory directory = new ServiceDirectory(Map.of());
    List<Record> records = new java.util.ArrayList<>();
    for (int i = 0; i < instances; i++) {
      Record record = HttpEndpoint.createRecord("svc", "127.0.0.1", 9000 + i, "/",
          new JsonObject().put("instance-id", "svc-" + i).put("node-id", "n"));
      records.add(record.setRegistration("reg-" + i));
    }
    directory.update(records); // the first read: no slow start for these
    GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry(), directory, List.of("svc"));
    return new Backend(vertx, "svc", directory, new GatewayConfig.Balancing(Strategy.ROUND_ROBIN, null), metrics,
        POLICY, new Resilience(2, 1, 1, 20, 3, 10, 10_000, 10_000));
  }

  @Test
  void candidates_excludeUnavailableAndTried() {
    Backend backend = backend(4);
    List<Upstream> all = backend.instances();
    all.get(0).unreachable();
    long now = System.currentTimeMillis();
    assertThat(backend.candidates(now, Set.of(all.get(1)))).containsExactly(all.get(2), all.get(3));
  }

  @Test
  void panic_belowThreshold_balancesOverAll() {
    Backend backend = backend(3);
    List<Upstream> all = backend.instances();
    all.get(0).unreachable();
    all.get(1).unreachable(); // 1 of 3 available: below 50 %
    assertThat(backend.candidates(System.currentTimeMillis(), Set.of())).containsExactlyElementsOf(all);
  }

  @Test
  void failed_neverEjectsBeyondThePanicShare() {
    Backend backend = backend(4);
    long now = System.currentTimeMillis();
    backend.instances().forEach(u -> backend.failed(u, now)); // each would be ejected at its first failure
    assertThat(backend.instances().stream().filter(u -> u.ejected(now))).hasSize(2);
  }

  @Test
  void slowStart_admitsARampedShare() {
    Backend backend = backend(2);
    Upstream cold = backend.instances().get(0);
    cold.unreachable();
    long recovered = System.currentTimeMillis() - 3_000; // back 3 s ago: 30 % of its share
    cold.probed(true, recovered, POLICY);
    int admitted = 0;
    for (int i = 0; i < 10_000; i++) {
      if (backend.candidates(recovered + 3_000, Set.of()).contains(cold)) {
        admitted++;
      }
    }
    assertThat(admitted).isBetween(2_700, 3_300);
    assertThat(backend.candidates(recovered + 10_000, Set.of())).contains(cold); // fully back
  }
}
