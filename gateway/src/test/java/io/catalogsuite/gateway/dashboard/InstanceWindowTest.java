package io.catalogsuite.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.Upstream;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The 10-second window of one instance: percentiles over the window, requests per second over the last tick. */
class InstanceWindowTest {
  private static final HealthPolicy POLICY = new HealthPolicy(5, 5_000, 60_000, 50, 1_000, 2, 2, 0);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final Upstream upstream = new Upstream("reg-1", "echo-service", "echo-1", "node-1", "127.0.0.1", 8081, 1);

  private void requests(int count, long millis) {
    for (int i = 0; i < count; i++) {
      upstream.started();
      upstream.timed(TimeUnit.MILLISECONDS.toNanos(millis), System.nanoTime());
      upstream.finished();
    }
  }

  @Test
  void percentilesCoverTheLastTenSeconds_rateTheLastOne() {
    InstanceWindow window = new InstanceWindow(upstream, 0);
    requests(98, 2);
    requests(2, 500);
    window.tick(SECOND);
    JsonObject first = window.toJson(0, POLICY);
    assertThat(first.getDouble("requestsPerSecond")).isEqualTo(100.0);
    assertThat(first.getDouble("p50Ms")).isCloseTo(2.0, withPercentage(1));
    assertThat(first.getDouble("p99Ms")).isCloseTo(500.0, withPercentage(1));

    // Nine quiet seconds: the slow requests are still in the window; the rate is the last second's.
    for (int s = 2; s <= 10; s++) {
      requests(10, 1);
      window.tick(s * SECOND);
    }
    JsonObject tenth = window.toJson(0, POLICY);
    assertThat(tenth.getDouble("requestsPerSecond")).isEqualTo(10.0);
    assertThat(tenth.getLong("windowRequests")).isEqualTo(190);
    // The eleventh second pushes the first one out.
    window.tick(11 * SECOND);
    JsonObject eleventh = window.toJson(0, POLICY);
    assertThat(eleventh.getLong("windowRequests")).isEqualTo(90);
    assertThat(eleventh.getDouble("p99Ms")).isCloseTo(1.0, withPercentage(1));
    assertThat(eleventh.getDouble("requestsPerSecond")).isEqualTo(0.0);
  }

  @Test
  void anEmptyWindowHasNoPercentiles_aLatencyBeyondTheRangeIsItsTop() {
    InstanceWindow window = new InstanceWindow(upstream, 0);
    window.tick(SECOND);
    assertThat(window.toJson(0, POLICY).getValue("p99Ms")).isNull();
    upstream.timed(TimeUnit.HOURS.toNanos(1), System.nanoTime());
    window.tick(2 * SECOND);
    assertThat(window.toJson(0, POLICY).getDouble("p99Ms"))
        .isCloseTo(TimeUnit.MICROSECONDS.toMillis(Upstream.LATENCY_MAX_MICROS),
            withPercentage(1));
  }
}
