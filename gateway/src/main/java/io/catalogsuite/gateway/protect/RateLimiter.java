package io.catalogsuite.gateway.protect;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The token buckets of one route, one per client, shared by every event loop. Buckets are created on a client's
 * first request and dropped once they have been full (untouched) for a while, so memory follows the number of
 * recently active clients.
 */
final class RateLimiter {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final String route;
  private final RateLimit limit;
  private final long interval;
  private final long capacity;
  private final LongSupplier clock;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** {@code clock} gives nanoseconds, like {@link System#nanoTime()}; tests pass their own. */
  RateLimiter(String route, RateLimit limit, LongSupplier clock) {
    this.route = route;
    this.limit = limit;
    this.interval = limit.intervalNanos();
    this.capacity = limit.capacityNanos();
    this.clock = clock;
  }

  /** Takes a token from the client's bucket; the outcome is {@link TokenBucket#take}'s. */
  long acquire(String client) {
    long now = clock.getAsLong();
    TokenBucket bucket = buckets.get(client); // a plain get first: computeIfAbsent may lock a bin
    if (bucket == null) {
      bucket = buckets.computeIfAbsent(client, c -> new TokenBucket(now));
    }
    return bucket.take(now, interval, capacity);
  }

  /** What {@link #acquire} would return now for {@code client}, without taking a token. */
  long peek(String client) {
    long now = clock.getAsLong();
    TokenBucket bucket = buckets.get(client);
    return bucket == null ? interval : bucket.peek(now, interval, capacity);
  }

  static boolean admitted(long outcome) {
    return outcome > 0;
  }

  /** Whole tokens left after an admitted request; none after a refused one. */
  long remaining(long outcome) {
    return admitted(outcome) ? (capacity - outcome) / interval : 0;
  }

  /** Seconds until the bucket is full again ({@code RateLimit-Reset}), rounded up. */
  long resetSeconds(long outcome) {
    return seconds(admitted(outcome) ? outcome : -outcome + capacity - interval);
  }

  /** Seconds until the next token ({@code Retry-After}) after a refused request, rounded up. */
  static long retryAfterSeconds(long outcome) {
    return seconds(-outcome);
  }

  private static long seconds(long nanos) {
    return Math.max(1, (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
  }

  /** Takes {@code tokens} spent on another gateway from the client's bucket. */
  void drain(String client, long tokens) {
    long now = clock.getAsLong();
    buckets.computeIfAbsent(client, c -> new TokenBucket(now)).drain(tokens, now, interval, capacity);
  }

  /** Requests admitted per client since each bucket was created, for the clients with any. */
  Map<String, Long> admittedCounts() {
    Map<String, Long> counts = new HashMap<>();
    buckets.forEach((client, bucket) -> {
      if (bucket.admitted() > 0) {
        counts.put(client, bucket.admitted());
      }
    });
    return counts;
  }

  /**
   * Drops the buckets full for at least {@code idleNanos}. A request racing with the removal may take its token
   * from the dropped bucket: one token, once, for a client that was idle anyway.
   */
  void evictIdle(long idleNanos) {
    long now = clock.getAsLong();
    buckets.values().removeIf(bucket -> bucket.fullFor(idleNanos, now));
  }

  int size() {
    return buckets.size();
  }

  String route() {
    return route;
  }

  RateLimit limit() {
    return limit;
  }
}
