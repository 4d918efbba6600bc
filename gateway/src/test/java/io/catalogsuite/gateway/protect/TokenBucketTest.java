package io.catalogsuite.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The refill math, on a clock the test moves: 2 tokens per second (one every 500 ms), burst 3. */
class TokenBucketTest {
  private final AtomicLong clock = new AtomicLong(123_456_789L); // any origin, like System.nanoTime()
  private final RateLimiter limiter = new RateLimiter("/api/x", new RateLimit(2, Duration.ofSeconds(1), 3),
      clock::get);

  private void advance(long millis) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void burst_thenRefused_thenRefilledAtTheRate() {
    long first = limiter.acquire("a");
    assertThat(limiter.remaining(first)).isEqualTo(2);
    assertThat(limiter.remaining(limiter.acquire("a"))).isEqualTo(1);
    long third = limiter.acquire("a");
    assertThat(RateLimiter.admitted(third)).isTrue();
    assertThat(limiter.remaining(third)).isZero();
    assertThat(limiter.resetSeconds(third)).isEqualTo(2); // 1.5 s until full, rounded up

    long refused = limiter.acquire("a");
    assertThat(RateLimiter.admitted(refused)).isFalse();
    assertThat(-refused).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(RateLimiter.retryAfterSeconds(refused)).isEqualTo(1);
    assertThat(limiter.remaining(refused)).isZero();
    assertThat(limiter.resetSeconds(refused)).isEqualTo(2);

    advance(499);
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isFalse();
    advance(1);
    assertThat(limiter.remaining(limiter.acquire("a"))).isZero(); // exactly one token came back
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isFalse();
  }

  @Test
  void refusedRequests_costNothing() {
    for (int i = 0; i < 3; i++) {
      limiter.acquire("a");
    }
    for (int i = 0; i < 100; i++) {
      assertThat(RateLimiter.admitted(limiter.acquire("a"))).isFalse();
    }
    advance(500);
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isTrue();
  }

  @Test
  void restedBucket_holdsNoMoreThanTheBurst() {
    limiter.acquire("a");
    advance(3_600_000);
    assertThat(limiter.remaining(limiter.acquire("a"))).isEqualTo(2);
  }

  @Test
  void clients_haveTheirOwnBuckets() {
    for (int i = 0; i < 3; i++) {
      limiter.acquire("a");
    }
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isFalse();
    assertThat(limiter.remaining(limiter.acquire("b"))).isEqualTo(2);
  }

  @Test
  void drain_takesTokensSpentElsewhere_downToEmptyOnly() {
    limiter.drain("a", 2);
    assertThat(limiter.remaining(limiter.acquire("a"))).isZero();
    limiter.drain("a", 1_000); // no debt: half a second later there is a token again
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isFalse();
    advance(500);
    assertThat(RateLimiter.admitted(limiter.acquire("a"))).isTrue();
  }

  @Test
  void admittedCounts_countOnlyAdmittedRequests() {
    for (int i = 0; i < 5; i++) {
      limiter.acquire("a");
    }
    limiter.drain("b", 1);
    assertThat(limiter.admittedCounts()).containsOnly(java.util.Map.entry("a", 3L));
  }

  @Test
  void evictIdle_dropsOnlyBucketsFullForTheIdleTime() {
    limiter.acquire("a"); // full again 500 ms later
    advance(1_000);
    limiter.acquire("b");
    advance(1_400); // a: full for 1.9 s; b: full for 0.9 s
    limiter.evictIdle(TimeUnit.SECONDS.toNanos(1));
    assertThat(limiter.size()).isEqualTo(1);
    assertThat(limiter.admittedCounts()).containsOnlyKeys("b");
  }

  @Test
  void rateLimit_parsed() {
    assertThat(RateLimit.parse("RATE_LIMITS", "100/s:200")).contains(new RateLimit(100, Duration.ofSeconds(1), 200));
    assertThat(RateLimit.parse("RATE_LIMITS", "50/s")).contains(new RateLimit(50, Duration.ofSeconds(1), 50));
    assertThat(RateLimit.parse("RATE_LIMITS", "600/m:10")).contains(new RateLimit(600, Duration.ofMinutes(1), 10));
    assertThat(RateLimit.parse("RATE_LIMITS", "off")).isEqualTo(Optional.empty());
    assertThat(new RateLimit(600, Duration.ofMinutes(1), 10).intervalNanos()).isEqualTo(100_000_000L);
  }
}
