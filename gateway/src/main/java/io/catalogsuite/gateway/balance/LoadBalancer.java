package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;

/**
 * Chooses the instance for one request. One balancer serves one service and is shared by all the gateway's
 * event loops, so implementations are thread-safe without locking. Adding a strategy is one class and one
 * {@link Strategy} constant.
 */
public interface LoadBalancer {

  /**
   * Picks one of {@code candidates}, which is never empty and comes in a stable order (by instance id).
   *
   * @param affinityKey what consistent hashing keys on (a header's value or the client address); other
   *                    strategies ignore it
   */
  Upstream pick(List<Upstream> candidates, String affinityKey);
}
