package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round-robin (the nginx algorithm): with weights 5, 1, 1 the order is a a b a c a a, not
 * a a a a a b c. Over any window of W·k consecutive picks (W the sum of the weights) each instance gets exactly
 * k·weight.
 *
 * <p>The algorithm updates every candidate's running score on each pick, which would need a lock. Instead the
 * whole period (W picks) is computed once per candidate set and walked with one atomic counter; a different
 * set of candidates (an instance joins, leaves or is ejected) or a changed weight (an operator's) computes a new
 * period.
 */
final class SmoothWeightedRoundRobin implements LoadBalancer {
  private final AtomicLong next = new AtomicLong();
  private volatile Schedule schedule = new Schedule(List.of(), new int[0], List.of());

  /** A period, and the candidates and weights it was computed for. */
  private record Schedule(List<Upstream> candidates, int[] weights, List<Upstream> order) {
    boolean isFor(List<Upstream> others) {
      if (!candidates.equals(others)) {
        return false;
      }
      for (int i = 0; i < weights.length; i++) {
        if (weights[i] != others.get(i).weight()) {
          return false;
        }
      }
      return true;
    }
  }

  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    Schedule current = schedule;
    if (!current.isFor(candidates)) {
      int[] weights = candidates.stream().mapToInt(Upstream::weight).toArray();
      current = new Schedule(List.copyOf(candidates), weights, period(candidates));
      schedule = current; // racing threads compute the same schedule; either one may win
    }
    List<Upstream> order = current.order();
    return order.get((int) Math.floorMod(next.getAndIncrement(), (long) order.size()));
  }

  /** One period of the smooth weighted sequence. */
  static List<Upstream> period(List<Upstream> candidates) {
    int total = 0;
    for (Upstream candidate : candidates) {
      total += candidate.weight();
    }
    int[] score = new int[candidates.size()];
    List<Upstream> order = new ArrayList<>(total);
    for (int n = 0; n < total; n++) {
      int best = 0;
      for (int i = 0; i < score.length; i++) {
        score[i] += candidates.get(i).weight();
        if (score[i] > score[best]) {
          best = i;
        }
      }
      score[best] -= total;
      order.add(candidates.get(best));
    }
    return List.copyOf(order);
  }
}
