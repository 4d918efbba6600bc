package io.catalogsuite.loadgen;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Whether the balancer split the requests as its strategy should: a chi-square goodness-of-fit test of the
 * answers each instance gave ({@code X-Instance-Id}) against the split the strategy promises. Round-robin,
 * random, least-requests and power-of-two-choices promise an even split over equal instances;
 * weighted-round-robin one in proportion to the weights; consistent-hash none (a key's instance is fixed, and
 * the load generator's requests carry no key), nor peak-ewma (it follows the instances' latencies, by design). A small p-value (below 0.01) says the split is not the expected
 * one.
 */
final class Fairness {
  static final String WEIGHTED = "weighted-round-robin";
  static final String CONSISTENT_HASH = "consistent-hash";
  static final String PEAK_EWMA = "peak-ewma";

  private Fairness() {
  }

  static JsonObject test(Balancing balancing, Map<String, Long> answersByInstance) {
    String strategy = balancing.strategy().orElse("unknown");
    JsonObject json = new JsonObject().put("strategy", strategy);
    if (strategy.equals(CONSISTENT_HASH)) {
      return json.put("expected", "none: consistent hashing fixes each key's instance").put("pValue", (Object) null);
    }
    if (strategy.equals(PEAK_EWMA)) {
      return json.put("expected", "none: peak-ewma follows the instances' latencies").put("pValue", (Object) null);
    }
    if (answersByInstance.size() < 2) {
      return json.put("expected", "a split over two or more instances")
          .put("pValue", (Object) null).put("note", "fewer than two instances answered: nothing to compare");
    }
    boolean weighted = strategy.equals(WEIGHTED);
    long[] observed = answersByInstance.values().stream().mapToLong(Long::longValue).toArray();
    // Proportions; the test scales them to the total. An instance the gateway did not list weighs 1.
    double[] expected = answersByInstance.keySet().stream()
        .mapToDouble(instance -> weighted ? balancing.weights().getOrDefault(instance, 1) : 1).toArray();
    ChiSquareTest test = new ChiSquareTest();
    return json
        .put("expected", (weighted ? "in proportion to the weights " + balancing.weights() : "even")
            + " over " + observed.length + " instances"
            + (balancing.strategy().isEmpty() ? " (the strategy is unknown: the key has no admin role)" : ""))
        .put("chiSquare", test.chiSquare(expected, observed))
        .put("pValue", test.chiSquareTest(expected, observed));
  }
}
