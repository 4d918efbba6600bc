package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The candidate with the fewest requests in flight through this gateway. Ties go to a random one of the tied,
 * so equal instances share the load instead of the first one taking all of it.
 */
final class LeastRequests implements LoadBalancer {
  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    Upstream best = null;
    int ties = 0;
    for (Upstream candidate : candidates) {
      int inFlight = candidate.inFlight();
      if (best == null || inFlight < best.inFlight()) {
        best = candidate;
        ties = 1;
      } else if (inFlight == best.inFlight() && ThreadLocalRandom.current().nextInt(++ties) == 0) {
        best = candidate; // reservoir sampling over the tied candidates
      }
    }
    return best;
  }
}
