package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * Two distinct candidates at random, and the one with fewer requests in flight. Nearly as good as
 * least-requests at spreading load, without looking at every instance and without herding onto the one that
 * just became least loaded.
 */
final class PowerOfTwoChoices implements LoadBalancer {
  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    return cheaperOfTwo(candidates, Upstream::inFlight);
  }

  /** Two distinct candidates at random, and the one that costs less (the first drawn on a tie). */
  static Upstream cheaperOfTwo(List<Upstream> candidates, ToDoubleFunction<Upstream> cost) {
    int size = candidates.size();
    if (size == 1) {
      return candidates.get(0);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int first = random.nextInt(size);
    int second = random.nextInt(size - 1);
    if (second >= first) {
      second++; // distinct from first, still uniform
    }
    Upstream a = candidates.get(first);
    Upstream b = candidates.get(second);
    return cost.applyAsDouble(b) < cost.applyAsDouble(a) ? b : a;
  }
}
