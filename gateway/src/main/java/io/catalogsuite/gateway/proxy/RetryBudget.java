package io.catalogsuite.gateway.proxy;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps a service's retries at a share of its requests over a sliding window of {@value #SECONDS} one-second
 * buckets, so a struggling service is not hit by a retry storm: when every request fails, retries would
 * otherwise multiply the load by the retry count exactly when the service can least take it.
 *
 * <p>Lock-free: a bucket is reset by the first thread that sees it belong to an older second (a
 * compare-and-set on its epoch); a count racing with that reset may be lost, which only makes the budget
 * very slightly more generous.
 */
final class RetryBudget {
  static final int SECONDS = 10;

  private final int percent;
  private final int minRetries;
  private final AtomicLongArray epochs = new AtomicLongArray(SECONDS);
  private final AtomicLongArray requests = new AtomicLongArray(SECONDS);
  private final AtomicLongArray retries = new AtomicLongArray(SECONDS);

  RetryBudget(int percent, int minRetries) {
    this.percent = percent;
    this.minRetries = minRetries;
  }

  /** Counts a request (not its retries). */
  void request(long nowSecond) {
    requests.incrementAndGet(bucket(nowSecond));
  }

  /** Takes one retry from the budget if it has one left. */
  boolean tryRetry(long nowSecond) {
    int bucket = bucket(nowSecond);
    if (used(nowSecond) >= allowed(nowSecond)) {
      return false;
    }
    retries.incrementAndGet(bucket);
    return true;
  }

  /** The retries the window allows now: the budget's share of its requests, at least the minimum. */
  long allowed(long nowSecond) {
    return Math.max(minRetries, sum(requests, nowSecond) * percent / 100);
  }

  /** The retries made in the window. */
  long used(long nowSecond) {
    return sum(retries, nowSecond);
  }

  private int bucket(long second) {
    int index = (int) Math.floorMod(second, (long) SECONDS);
    long epoch = epochs.get(index);
    if (epoch != second && epochs.compareAndSet(index, epoch, second)) {
      requests.set(index, 0);
      retries.set(index, 0);
    }
    return index;
  }

  private long sum(AtomicLongArray counts, long nowSecond) {
    long sum = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (nowSecond - epochs.get(i) < SECONDS) {
        sum += counts.get(i);
      }
    }
    return sum;
  }
}
