package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Uniformly random: no shared state at all. */
final class RandomChoice implements LoadBalancer {
  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
  }
}
