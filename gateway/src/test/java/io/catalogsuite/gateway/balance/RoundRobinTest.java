package io.catalogsuite.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  static List<Upstream> upstreams(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> new Upstream("reg-" + i, "svc", "svc-" + i, "node-" + i, "127.0.0.1", 9000 + i))
        .toList();
  }

  static Map<String, Integer> distribution(LoadBalancer balancer, List<Upstream> candidates, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(balancer.pick(candidates).instanceId(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void pick_strictRotation() {
    List<Upstream> three = upstreams(3);
    assertThat(distribution(LoadBalancer.roundRobin(), three, 30))
        .containsOnly(Map.entry("svc-0", 10), Map.entry("svc-1", 10), Map.entry("svc-2", 10));
  }

  @Test
  void pick_inOrder() {
    List<Upstream> two = upstreams(2);
    LoadBalancer balancer = LoadBalancer.roundRobin();
    assertThat(IntStream.range(0, 4).mapToObj(i -> balancer.pick(two).instanceId()))
        .containsExactly("svc-0", "svc-1", "svc-0", "svc-1");
  }

  @Test
  void pick_afterInstanceLeaves_staysEven() {
    LoadBalancer balancer = LoadBalancer.roundRobin();
    distribution(balancer, upstreams(3), 7);
    assertThat(distribution(balancer, upstreams(2), 20)).containsOnly(Map.entry("svc-0", 10), Map.entry("svc-1", 10));
  }

  @Test
  void pick_concurrent_exactCounts() throws InterruptedException {
    LoadBalancer balancer = LoadBalancer.roundRobin();
    List<Upstream> four = upstreams(4);
    Map<String, Integer> counts = new java.util.concurrent.ConcurrentHashMap<>();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          counts.merge(balancer.pick(four).instanceId(), 1, Integer::sum);
        }
      });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(counts.values()).containsOnly(1000);
  }
}
