package io.catalogsuite.loadgen;

import java.util.SplittableRandom;

/**
 * The times at which requests are due: a Poisson process of {@code rate} arrivals per second, i.e. gaps drawn
 * independently from the exponential distribution of mean {@code 1/rate}. Each request is sent at its time
 * whatever the earlier ones are doing: that is what makes the load open-loop.
 */
final class Arrivals {
  private final double meanGapNanos;
  private final SplittableRandom random;
  private long next;

  /** Arrivals from {@code startNanos} on; the same seed gives the same times. */
  Arrivals(double rate, long seed, long startNanos) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive: " + rate);
    }
    this.meanGapNanos = 1e9 / rate;
    this.random = new SplittableRandom(seed);
    this.next = startNanos;
  }

  /** The next arrival's time, in {@link System#nanoTime()} terms. */
  long next() {
    next += gapNanos();
    return next;
  }

  /** One gap: inverse transform sampling, {@code -ln(U) / rate} with {@code U} uniform in (0, 1]. */
  long gapNanos() {
    double u = 1.0 - random.nextDouble(); // (0, 1]: no log of zero
    return Math.round(-Math.log(u) * meanGapNanos);
  }
}
