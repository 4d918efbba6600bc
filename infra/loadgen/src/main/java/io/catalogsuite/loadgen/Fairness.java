package io.catalogsuite.loadgen;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Whether the balancer split the requests as its strategy should: a chi-square goodness-of-fit test of the
 * answers each instance gave ({@code X-Instance-Id}) against an even split, which is what round-robin, random,
 * least-requests and P2C promise over equal instances. A small p-value (below 0.01) says the split is not even.
 */
final class Fairness {
  private Fairness() {
  }

  static JsonObject evenSplit(Map<String, Long> answersByInstance) {
    JsonObject json = new JsonObject().put("expected", "even split over " + answersByInstance.size() + " instances");
    if (answersByInstance.size() < 2) {
      return json.put("pValue", (Object) null).put("note", "fewer than two instances answered: nothing to compare");
    }
    long[] observed = answersByInstance.values().stream().mapToLong(Long::longValue).toArray();
    double[] expected = new double[observed.length];
    Arrays.fill(expected, 1.0); // proportions; the test scales them to the total
    ChiSquareTest test = new ChiSquareTest();
    return json.put("chiSquare", test.chiSquare(expected, observed))
        .put("pValue", test.chiSquareTest(expected, observed));
  }
}
