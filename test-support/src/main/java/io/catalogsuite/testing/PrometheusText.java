package io.catalogsuite.testing;

import java.util.Arrays;

/** Reads samples out of a Prometheus text exposition (what {@code GET /metrics} returns). */
public final class PrometheusText {
  private PrometheusText() {
  }

  /** The value of the first sample of {@code name} whose labels include all of {@code labels}; -1 if none. */
  public static double sample(String exposition, String name, String... labels) {
    return exposition.lines()
        .filter(line -> line.startsWith(name + "{") && Arrays.stream(labels).allMatch(line::contains))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst().orElse(-1);
  }
}
