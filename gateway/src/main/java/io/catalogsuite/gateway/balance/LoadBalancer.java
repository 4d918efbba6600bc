package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;

/**
 * Chooses the instance for one request. One balancer serves one service and is shared by all the gateway's
 * event loops, so implementations are thread-safe without locking. Adding a strategy is adding one class.
 */
public interface LoadBalancer {

  /** Picks one of {@code candidates}, which is never empty and is in a stable order. */
  Upstream pick(List<Upstream> candidates);

  /** Strict rotation: over k·N requests to N instances, each gets exactly k. */
  static LoadBalancer roundRobin() {
    return new RoundRobin();
  }
}
