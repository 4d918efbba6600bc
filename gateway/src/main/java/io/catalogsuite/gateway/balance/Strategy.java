package io.catalogsuite.gateway.balance;

import io.catalogsuite.common.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/** The balancing strategies, by the names configuration uses. */
public enum Strategy {
  ROUND_ROBIN("round-robin", RoundRobin::new),
  WEIGHTED_ROUND_ROBIN("weighted-round-robin", SmoothWeightedRoundRobin::new),
  RANDOM("random", RandomChoice::new),
  LEAST_REQUESTS("least-requests", LeastRequests::new),
  POWER_OF_TWO_CHOICES("power-of-two-choices", PowerOfTwoChoices::new),
  PEAK_EWMA("peak-ewma", PeakEwmaChoices::new),
  CONSISTENT_HASH("consistent-hash", ConsistentHash::new);

  private final String id;
  private final Supplier<LoadBalancer> factory;

  Strategy(String id, Supplier<LoadBalancer> factory) {
    this.id = id;
    this.factory = factory;
  }

  /** The configuration name, e.g. {@code least-requests}. */
  public String id() {
    return id;
  }

  /** A new balancer; each service gets its own. */
  public LoadBalancer create() {
    return factory.get();
  }

  public static Strategy of(String id) {
    String wanted = id.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst()
        .orElseThrow(() -> new ConfigException("unknown balancing strategy '" + id + "'; one of "
            + Arrays.stream(values()).map(Strategy::id).toList()));
  }
}
