package io.catalogsuite.gateway.protect;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One client's token bucket on one route: lock-free, one compare-and-set per request, no allocation.
 *
 * <p>The bucket is kept as a single instant: when it will be full again ({@code fullAt}, on the
 * {@link System#nanoTime()} scale). With one token flowing in every {@code interval} and room for {@code burst}
 * tokens, the tokens at {@code now} are {@code burst - max(0, fullAt - now) / interval}: taking a token moves
 * {@code fullAt} one interval later, time refills it. A request is admitted while the bucket holds a whole
 * token, i.e. while {@code fullAt} stays within {@code burst × interval} of now. (This is the token bucket in the
 * form of the generic cell rate algorithm: same decisions, one number of state.)
 */
final class TokenBucket {
  private final AtomicLong fullAt;
  /** Requests admitted here since the bucket was created: what the cluster sync publishes. */
  private final AtomicLong admitted = new AtomicLong();

  /** A full bucket. */
  TokenBucket(long now) {
    this.fullAt = new AtomicLong(now);
  }

  /**
   * Takes a token if there is one. Returns, when admitted, the time until the bucket is full again (&gt; 0);
   * when refused, minus the time until a token is there (&lt; 0). Nanoseconds.
   */
  long take(long now, long interval, long capacity) {
    while (true) {
      long current = fullAt.get();
      long next = Math.max(current, now) + interval;
      long untilFull = next - now;
      if (untilFull > capacity) {
        return -(untilFull - capacity);
      }
      if (fullAt.compareAndSet(current, next)) {
        admitted.incrementAndGet();
        return untilFull;
      }
    }
  }

  /** What {@link #take} would return now, without taking anything. */
  long peek(long now, long interval, long capacity) {
    long untilFull = Math.max(fullAt.get(), now) + interval - now;
    return untilFull > capacity ? -(untilFull - capacity) : untilFull;
  }

  /** Removes {@code tokens} that were spent elsewhere (another gateway), down to empty: no debt. */
  void drain(long tokens, long now, long interval, long capacity) {
    long cost = tokens >= capacity / interval ? capacity : tokens * interval;
    while (true) {
      long current = fullAt.get();
      long next = Math.min(Math.max(current, now) + cost, now + capacity);
      if (next <= current || fullAt.compareAndSet(current, next)) {
        return;
      }
    }
  }

  /** Whether the bucket has been full for at least {@code idle}: it is then the same as no bucket. */
  boolean fullFor(long idle, long now) {
    return now - fullAt.get() >= idle;
  }

  long admitted() {
    return admitted.get();
  }
}
