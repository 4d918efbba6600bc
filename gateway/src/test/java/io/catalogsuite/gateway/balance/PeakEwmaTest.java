package io.catalogsuite.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/**
 * The latency-aware strategy in a simulation with its own clock: requests arrive every 0.5 ms (2,000/s) and each
 * instance answers after its service time, one try at a time recorded as the gateway records it (time to
 * response head). Pure logic: no network, no sleeping.
 */
class PeakEwmaTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** The clock the simulation moves and the strategy reads. */
  private long now = TimeUnit.SECONDS.toNanos(1);

  private record Completion(long at, Upstream upstream, long rtt) {
  }

  /** The tries in flight, by when they end (carried from one run into the next). */
  private final PriorityQueue<Completion> pending = new PriorityQueue<>((x, y) -> Long.compare(x.at(), y.at()));

  /** Offers {@code seconds} of load; returns each instance's share of the requests. */
  private Map<String, Double> run(LoadBalancer balancer, List<Upstream> instances, ToLongFunction<Upstream> service,
      double seconds) {
    Map<String, Integer> counts = new HashMap<>();
    long end = now + (long) (seconds * 1_000 * MS);
    int total = 0;
    for (; now < end; now += MS / 2) {
      while (!pending.isEmpty() && pending.peek().at() <= now) {
        Completion done = pending.poll();
        done.upstream().timed(done.rtt(), done.at());
        done.upstream().finished();
      }
      Upstream chosen = balancer.pick(instances, null);
      chosen.started();
      long rtt = service.applyAsLong(chosen);
      pending.add(new Completion(now + rtt, chosen, rtt));
      counts.merge(chosen.instanceId(), 1, Integer::sum);
      total++;
    }
    Map<String, Double> shares = new HashMap<>();
    for (Upstream instance : instances) {
      shares.put(instance.instanceId(), counts.getOrDefault(instance.instanceId(), 0) / (double) total);
    }
    return shares;
  }

  @Test
  void aSlowInstance_getsASmallerShare_thanInFlightAloneGivesIt() {
    ToLongFunction<Upstream> service = u -> u.instanceId().equals("slow") ? 20 * MS : 2 * MS;
    Map<String, Double> peakEwma = run(new PeakEwmaChoices(() -> now), three(), service, 10);
    Map<String, Double> inFlightOnly = run(new PowerOfTwoChoices(), three(), service, 10);

    assertThat(peakEwma.get("slow")).isLessThan(0.05).isLessThan(inFlightOnly.get("slow") / 2);
    assertThat(peakEwma.get("fast-1")).isBetween(0.4, 0.6);
  }

  /**
   * An instance 25 times slower than the others, then as fast: untried, its estimate decays (τ = 10 s) until it
   * costs less than a busy fast one (2 ms times about three), after about τ·ln(50 / 6), 21 s; its fast answers
   * then pull the estimate down over about τ more, and its share with it.
   */
  @Test
  void anInstanceThatWasSlow_winsItsShareBack_asItsEstimateDecays() {
    List<Upstream> instances = three();
    PeakEwmaChoices balancer = new PeakEwmaChoices(() -> now);
    run(balancer, instances, u -> u.instanceId().equals("slow") ? 50 * MS : 2 * MS, 5);
    double[] shares = new double[4]; // the slow one's, in each 10 s once it is as fast as the others
    for (int i = 0; i < shares.length; i++) {
      shares[i] = run(balancer, instances, u -> 2 * MS, 10).get("slow");
    }
    assertThat(shares[0]).isLessThan(0.01);
    assertThat(shares[3]).isGreaterThan(0.2).isGreaterThan(shares[2] - 0.02);
  }

  @Test
  void anInstanceWithRequestsInFlight_andNoEstimate_isAvoided() {
    List<Upstream> instances = three();
    Upstream fresh = instances.get(2);
    fresh.started();
    instances.get(0).timed(5 * MS, now);
    instances.get(1).timed(5 * MS, now);
    PeakEwmaChoices balancer = new PeakEwmaChoices(() -> now);
    for (int i = 0; i < 200; i++) {
      assertThat(balancer.pick(instances, null)).isNotSameAs(fresh);
    }
  }

  private static List<Upstream> three() {
    return List.of(StrategyTest.upstream("fast-1", 1), StrategyTest.upstream("fast-2", 1),
        StrategyTest.upstream("slow", 1));
  }
}
