package io.catalogsuite.loadgen;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one interval of the run saw (a second of it, or the whole): latencies from each request's scheduled time,
 * in an HdrHistogram (1 µs to 1 h, 3 significant digits), statuses, drops and which instance answered. Used on
 * the generator's one event loop only, so nothing in it is shared between threads.
 */
final class Recording {
  private static final long MAX_NANOS = TimeUnit.HOURS.toNanos(1);

  private final Histogram latency = new Histogram(1_000, MAX_NANOS, 3);
  private final Map<String, Long> statuses = new TreeMap<>();
  private final Map<String, Long> instances = new TreeMap<>();
  private long offered;
  private long dropped;

  /** A request was due (whether it could be sent or not). */
  void countOffered() {
    offered++;
  }

  /** A request due while every connection was busy: counted, never sent late. */
  void countDropped() {
    dropped++;
  }

  /** A response: its status, the instance that gave it (or none), and the time from when it was due. */
  void answered(int status, String instance, long latencyNanos) {
    latency.recordValue(Math.min(Math.max(latencyNanos, 1_000), MAX_NANOS));
    statuses.merge(Integer.toString(status), 1L, Long::sum);
    // Only an upstream's own answers tell how the balancer split: the gateway's refusals (429, 502, 503) are
    // stamped with its own instance id.
    if (instance != null && status < 400) {
      instances.merge(instance, 1L, Long::sum);
    }
  }

  /** A request that got no response (connection refused or reset, timeout): latency up to the failure. */
  void failed(String reason, long latencyNanos) {
    latency.recordValue(Math.min(Math.max(latencyNanos, 1_000), MAX_NANOS));
    statuses.merge(reason, 1L, Long::sum);
  }

  void add(Recording other) {
    latency.add(other.latency);
    other.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
    other.instances.forEach((k, v) -> instances.merge(k, v, Long::sum));
    offered += other.offered;
    dropped += other.dropped;
  }

  long offered() {
    return offered;
  }

  long dropped() {
    return dropped;
  }

  long completed() {
    return latency.getTotalCount();
  }

  /** Responses that were not 2xx or 3xx, and requests that got none. */
  long errors() {
    return statuses.entrySet().stream()
        .filter(e -> !(e.getKey().startsWith("2") || e.getKey().startsWith("3")))
        .mapToLong(Map.Entry::getValue).sum();
  }

  Map<String, Long> instances() {
    return instances;
  }

  /** Milliseconds at a percentile (0 to 100) of this interval's latencies; 0 when nothing completed. */
  double percentileMs(double percentile) {
    return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1e6;
  }

  private static JsonObject counts(Map<String, Long> counts) {
    JsonObject json = new JsonObject();
    counts.forEach(json::put);
    return json;
  }

  JsonObject toJson(double seconds) {
    return new JsonObject()
        .put("offered", offered)
        .put("offeredPerSecond", offered / seconds)
        .put("completed", completed())
        .put("achievedPerSecond", completed() / seconds)
        .put("dropped", dropped)
        .put("errors", errors())
        .put("statuses", counts(statuses))
        .put("latencyMs", new JsonObject()
            .put("p50", percentileMs(50)).put("p90", percentileMs(90)).put("p99", percentileMs(99))
            .put("p99.9", percentileMs(99.9)).put("max", completed() == 0 ? 0 : latency.getMaxValue() / 1e6))
        .put("instances", counts(instances));
  }
}
