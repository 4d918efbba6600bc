package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Latency-aware power of two choices (Finagle's and Linkerd's peak-EWMA): two distinct candidates at random,
 * and the one with the lower cost, its latency estimate ({@link Upstream#latencyEstimateNanos}) times its
 * requests in flight plus one. A slow instance gets a smaller share at once, since a slow try raises its
 * estimate to that try's latency, and more again as the estimate decays. An instance with requests in flight
 * but no latency yet costs the most: the first answers are awaited before more is sent.
 */
final class PeakEwmaChoices implements LoadBalancer {
  /** What an instance with requests in flight and no estimate yet costs. */
  static final double UNKNOWN_COST = Double.MAX_VALUE;

  private final LongSupplier clock;

  PeakEwmaChoices() {
    this(System::nanoTime);
  }

  /** @param clock nanoTime, or a test's */
  PeakEwmaChoices(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    long now = clock.getAsLong();
    return PowerOfTwoChoices.cheaperOfTwo(candidates, upstream -> cost(upstream, now));
  }

  static double cost(Upstream upstream, long now) {
    double latency = upstream.latencyEstimateNanos(now);
    int inFlight = upstream.inFlight();
    if (latency == 0) {
      return inFlight == 0 ? 0 : UNKNOWN_COST;
    }
    return latency * (inFlight + 1);
  }
}
