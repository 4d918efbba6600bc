package io.catalogsuite.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.gateway.discovery.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Each strategy's distribution, over instances that are plain values (no network: pure logic). */
class StrategyTest {
  static Upstream upstream(String id, int weight) {
    return new Upstream("reg-" + id, "svc", id, "node-" + id, "127.0.0.1", 9000, weight);
  }

  static List<Upstream> upstreams(int n) {
    return IntStream.range(0, n).mapToObj(i -> upstream("svc-" + i, 1)).toList();
  }

  static Map<String, Integer> distribution(LoadBalancer balancer, List<Upstream> candidates, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(balancer.pick(candidates, "key-" + i).instanceId(), 1, Integer::sum);
    }
    return counts;
  }

  static void inFlight(Upstream upstream, int requests) {
    for (int i = 0; i < requests; i++) {
      upstream.started();
    }
  }

  @Test
  void roundRobin_strictRotation() {
    assertThat(distribution(Strategy.ROUND_ROBIN.create(), upstreams(3), 30))
        .containsOnly(Map.entry("svc-0", 10), Map.entry("svc-1", 10), Map.entry("svc-2", 10));
    LoadBalancer balancer = Strategy.ROUND_ROBIN.create();
    List<Upstream> two = upstreams(2);
    assertThat(IntStream.range(0, 4).mapToObj(i -> balancer.pick(two, null).instanceId()))
        .containsExactly("svc-0", "svc-1", "svc-0", "svc-1");
  }

  @Test
  void roundRobin_concurrent_exactCounts() throws InterruptedException {
    LoadBalancer balancer = Strategy.ROUND_ROBIN.create();
    List<Upstream> four = upstreams(4);
    Map<String, Integer> counts = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          counts.merge(balancer.pick(four, null).instanceId(), 1, Integer::sum);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(counts.values()).containsOnly(1000);
  }

  @Test
  void weighted_smoothAndExactPerWindow() {
    Upstream a = upstream("a", 5);
    Upstream b = upstream("b", 1);
    Upstream c = upstream("c", 1);
    List<Upstream> candidates = List.of(a, b, c);
    LoadBalancer balancer = Strategy.WEIGHTED_ROUND_ROBIN.create();
    List<String> sequence = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      sequence.add(balancer.pick(candidates, null).instanceId());
    }
    assertThat(sequence.subList(0, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a"); // smooth, not aaaaabc
    for (int start = 0; start + 14 <= sequence.size(); start++) { // any window of W·k = 7·2 picks
      Map<String, Long> window = new HashMap<>();
      sequence.subList(start, start + 14).forEach(id -> window.merge(id, 1L, Long::sum));
      assertThat(window).containsOnly(Map.entry("a", 10L), Map.entry("b", 2L), Map.entry("c", 2L));
    }
  }

  @Test
  void weighted_newCandidateSet_newPeriod() {
    LoadBalancer balancer = Strategy.WEIGHTED_ROUND_ROBIN.create();
    Upstream a = upstream("a", 3);
    Upstream b = upstream("b", 1);
    distribution(balancer, List.of(a, b, upstream("c", 2)), 5);
    assertThat(distribution(balancer, List.of(a, b), 40)).containsOnly(Map.entry("a", 30), Map.entry("b", 10));
  }

  @Test
  void random_roughlyUniform() {
    Map<String, Integer> counts = distribution(Strategy.RANDOM.create(), upstreams(3), 30_000);
    // 6 standard deviations either side: a correct implementation fails this about once in 10^8 runs
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(9_500, 10_500));
  }

  @Test
  void leastRequests_picksFewestInFlight_andSpreadsTies() {
    List<Upstream> three = upstreams(3);
    inFlight(three.get(0), 3);
    inFlight(three.get(1), 1);
    inFlight(three.get(2), 2);
    assertThat(distribution(Strategy.LEAST_REQUESTS.create(), three, 100)).containsOnly(Map.entry("svc-1", 100));

    Map<String, Integer> ties = distribution(Strategy.LEAST_REQUESTS.create(), upstreams(3), 3_000);
    assertThat(ties.values()).allSatisfy(n -> assertThat(n).isBetween(800, 1_200));
  }

  @Test
  void powerOfTwo_neverPicksTheBusiest_ofThree() {
    List<Upstream> three = upstreams(3);
    inFlight(three.get(0), 10);
    Map<String, Integer> counts = distribution(Strategy.POWER_OF_TWO_CHOICES.create(), three, 3_000);
    assertThat(counts).doesNotContainKey("svc-0");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(1_300, 1_700));
  }

  @Test
  void powerOfTwo_equalLoad_spreadsEvenly() {
    Map<String, Integer> counts = distribution(Strategy.POWER_OF_TWO_CHOICES.create(), upstreams(4), 8_000);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(1_700, 2_300));
  }

  @Test
  void consistentHash_sticky_balanced_andOnlyDepartedKeysMove() {
    LoadBalancer balancer = Strategy.CONSISTENT_HASH.create();
    List<Upstream> three = upstreams(3);
    Map<String, String> owner = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      owner.put("user-" + i, balancer.pick(three, "user-" + i).instanceId());
    }
    for (int i = 0; i < 10_000; i += 97) { // sticky
      assertThat(balancer.pick(three, "user-" + i).instanceId()).isEqualTo(owner.get("user-" + i));
    }
    Map<String, Long> share = new HashMap<>();
    owner.values().forEach(id -> share.merge(id, 1L, Long::sum));
    assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(2_300L, 4_400L));

    List<Upstream> withoutOne = List.of(three.get(0), three.get(2));
    int moved = 0;
    for (Map.Entry<String, String> e : owner.entrySet()) {
      String now = balancer.pick(withoutOne, e.getKey()).instanceId();
      if (e.getValue().equals("svc-1")) {
        moved++;
        assertThat(now).isNotEqualTo("svc-1");
      } else {
        assertThat(now).as("key %s must not move", e.getKey()).isEqualTo(e.getValue());
      }
    }
    assertThat(moved).isEqualTo(share.get("svc-1").intValue());
  }

  @Test
  void strategy_byName() {
    assertThat(Strategy.of("power-of-two-choices")).isEqualTo(Strategy.POWER_OF_TWO_CHOICES);
    assertThat(Strategy.of(" Least-Requests ")).isEqualTo(Strategy.LEAST_REQUESTS);
    assertThatThrownBy(() -> Strategy.of("fastest")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("round-robin");
  }
}
