package io.catalogsuite.gateway.discovery;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An instance's latency as Finagle's and Linkerd's peak-EWMA balancers estimate it: a slower sample is taken at
 * once (the peak), a faster one is averaged in with a weight that grows with the time since the last sample,
 * and the estimate decays toward zero while no sample comes, so an instance that was slow is tried again in
 * time. Lock-free: one compare-and-set of an immutable state per sample.
 */
final class PeakEwma {
  /** The time constant: after this long without samples, the estimate is down to 1/e of itself. */
  static final long DECAY_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** The estimate as of the latest sample's time; {@code NONE} before the first. */
  private record State(double nanos, long stamp) {
  }

  private static final State NONE = new State(0, 0);

  private final AtomicReference<State> state = new AtomicReference<>(NONE);

  /** A try took {@code rttNanos}, ending at {@code now} (both from {@link System#nanoTime()}). */
  void observe(long rttNanos, long now) {
    state.updateAndGet(s -> {
      if (s == NONE) {
        return new State(rttNanos, now);
      }
      double w = weight(s, now);
      double nanos = rttNanos > s.nanos() ? rttNanos : s.nanos() * w + rttNanos * (1 - w);
      return new State(nanos, Math.max(now, s.stamp())); // event loops' samples may arrive a little out of order
    });
  }

  /** The estimate at {@code now}, in nanoseconds, decayed since the last sample; 0 before the first. */
  double nanos(long now) {
    State s = state.get();
    return s == NONE ? 0 : s.nanos() * weight(s, now);
  }

  /** e^(-elapsed/τ): how much of the estimate is left after the time since the last sample. */
  private static double weight(State s, long now) {
    return Math.exp(-Math.max(0, now - s.stamp()) / (double) DECAY_NANOS);
  }
}
