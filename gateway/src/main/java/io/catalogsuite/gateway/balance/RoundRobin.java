package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Round-robin over the candidates: one shared counter, incremented once per pick. */
final class RoundRobin implements LoadBalancer {
  private final AtomicLong next = new AtomicLong();

  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
  }
}
