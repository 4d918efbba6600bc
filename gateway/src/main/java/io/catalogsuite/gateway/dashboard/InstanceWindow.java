package io.catalogsuite.gateway.dashboard;

import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.Upstream;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * The last {@value #SECONDS} seconds of one instance, a second at a time: the latency histogram of each second
 * (taken from the instance's recorder, {@link Upstream#latencySince}) and the requests sent in the last one.
 * Read and written by the sampler's event loop only; the request path only records into the instance.
 */
final class InstanceWindow {
  static final int SECONDS = 10;
  private static final int DIGITS = 2;

  private final Upstream upstream;
  /** A ring: the histogram of each of the last seconds, null until that second has been closed. */
  private final Histogram[] seconds = new Histogram[SECONDS];
  /** The ring's sum, made again at every tick. */
  private final Histogram window = new Histogram(Upstream.LATENCY_MAX_MICROS, DIGITS);
  private int next;
  private long lastRequests;
  private long lastTickNanos;
  private double perSecond;

  InstanceWindow(Upstream upstream, long nowNanos) {
    this.upstream = upstream;
    this.lastRequests = upstream.requests();
    this.lastTickNanos = nowNanos;
  }

  /** Closes the second that ends now: its latencies join the window, the oldest second leaves it. */
  void tick(long nowNanos) {
    seconds[next] = upstream.latencySince(seconds[next]);
    next = (next + 1) % SECONDS;
    window.reset();
    for (Histogram second : seconds) {
      if (second != null) {
        window.add(second);
      }
    }
    long requests = upstream.requests();
    long elapsed = nowNanos - lastTickNanos;
    perSecond = elapsed <= 0 ? 0 : (requests - lastRequests) * 1e9 / elapsed;
    lastRequests = requests;
    lastTickNanos = nowNanos;
  }

  /**
   * What {@code /admin/services} shows of the instance, with its requests per second over the last tick and its
   * latency percentiles over the window (null while the window holds no request).
   */
  JsonObject toJson(long nowMs, HealthPolicy policy) {
    boolean empty = window.getTotalCount() == 0;
    return upstream.toJson(nowMs, policy)
        .put("share", upstream.available(nowMs) ? upstream.share(nowMs, policy) : 0.0)
        .put("requestsPerSecond", Math.round(perSecond * 10) / 10.0)
        .put("p50Ms", empty ? null : millis(window.getValueAtPercentile(50)))
        .put("p99Ms", empty ? null : millis(window.getValueAtPercentile(99)))
        .put("windowRequests", window.getTotalCount());
  }

  private static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
