package io.catalogsuite.gateway.discovery;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One instance of a service as the gateway sees it: where it is, and what the gateway has observed of it.
 * Shared by every event loop of the gateway, so its state is lock-free (atomics, compare-and-set).
 *
 * <p>An instance is <em>available</em> when it is healthy (active checks) and not ejected (passive checks).
 * Times are wall-clock milliseconds passed in by the caller, which keeps the rules testable.
 */
public final class Upstream {
  /** The longest latency the dashboard's histograms tell apart; a longer one is recorded as this. */
  public static final long LATENCY_MAX_MICROS = TimeUnit.SECONDS.toMicros(60);
  /** Two significant digits: a percentile within 1 %. */
  private static final int LATENCY_DIGITS = 2;

  private final String registration;
  private final String service;
  private final String instanceId;
  private final String nodeId;
  private final String host;
  private final int port;
  private final int weight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();
  /** Active health: false after failed probes or a refused connection, true again after passed probes. */
  private volatile boolean healthy = true;
  private final AtomicInteger probeStreak = new AtomicInteger(); // > 0 passes in a row, < 0 failures in a row
  /** Passive health. */
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final AtomicInteger ejections = new AtomicInteger();
  private final AtomicLong ejectedUntil = new AtomicLong();
  /** Since when it is available again, for slow start. */
  private final AtomicLong availableSince;
  /** The time to response head, as the peak-EWMA estimate (what the peak-ewma strategy weighs). */
  private final PeakEwma peakLatency = new PeakEwma();
  /**
   * The time to response head of each try (or to its timeout), in microseconds, read a second at a time by the
   * dashboard ({@link #latencySince}). Wait-free for every event loop that records into it: no lock, no allocation.
   */
  private final Recorder latency = new Recorder(LATENCY_MAX_MICROS, LATENCY_DIGITS);
  /** What an operator decided through the admin API: left to the health rules, draining, or taken out. */
  private volatile Rotation rotation = Rotation.AUTOMATIC;
  /** A weight an operator set through the admin API, instead of the published one; 0 for none. */
  private volatile int weightOverride;
  /** Its caches, as its last passed probe reported them (none for a service without a cache). */
  private volatile Map<String, CacheLookups> caches = Map.of();

  public Upstream(String registration, String service, String instanceId, String nodeId, String host, int port,
      int weight) {
    this(registration, service, instanceId, nodeId, host, port, weight, 0);
  }

  public Upstream(String registration, String service, String instanceId, String nodeId, String host, int port,
      int weight, long discoveredAt) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1, got " + weight + " for " + instanceId);
    }
    this.registration = registration;
    this.service = service;
    this.instanceId = instanceId;
    this.nodeId = nodeId;
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.availableSince = new AtomicLong(discoveredAt);
  }

  public String registration() {
    return registration;
  }

  public String service() {
    return service;
  }

  public String instanceId() {
    return instanceId;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /**
   * Relative share of the weighted strategy: an operator's (admin API), else the instance's discovery metadata or
   * the gateway's config.
   */
  public int weight() {
    int override = weightOverride;
    return override > 0 ? override : weight;
  }

  /** Whether the health rules alone decide its rotation, or an operator drained it or took it out. */
  public enum Rotation {
    /** In rotation while healthy and not ejected. */
    AUTOMATIC,
    /** No new requests; those in flight finish. */
    DRAINING,
    /** No requests, until an operator restores it. */
    OUT
  }

  /** An operator drains it or takes it out (admin API); {@link #restore} undoes either. */
  public void rotation(Rotation rotation) {
    this.rotation = rotation;
  }

  /**
   * An operator puts it back into rotation: what an operator decided and what passive and active health held
   * against it are forgotten (its probes judge it again from now on), and it ramps up through slow start.
   */
  public void restore(long now) {
    rotation = Rotation.AUTOMATIC;
    consecutiveFailures.set(0);
    ejectedUntil.set(0);
    probeStreak.set(0);
    healthy = true;
    availableSince.set(now);
  }

  /** An operator's weight, from 1 to 1000, or 0 to use the published one again. */
  public void weightOverride(int weight) {
    if (weight < 0 || weight > 1000) {
      throw new IllegalArgumentException("weight must be 1 to 1000, or 0 for the published one: " + weight);
    }
    weightOverride = weight;
  }

  /** Requests sent to this instance through this gateway that have not completed yet. */
  public int inFlight() {
    return inFlight.get();
  }

  /** A request to this instance starts: counted as sent and in flight. */
  public void started() {
    requests.increment();
    inFlight.incrementAndGet();
  }

  /** A request to this instance ended, however it ended. */
  public void finished() {
    inFlight.decrementAndGet();
  }

  /** Tries sent to this instance through this gateway, retries included. */
  public long requests() {
    return requests.sum();
  }

  /** Tries that failed: no connection, a timeout, or a 502, 503 or 504 (what passive health counts). */
  public long failures() {
    return failures.sum();
  }

  /** A try got its response head (or timed out) {@code nanos} after it was sent, at {@code now} (nanoTime). */
  public void timed(long nanos, long now) {
    latency.recordValue(Math.max(0, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), LATENCY_MAX_MICROS)));
    peakLatency.observe(nanos, now);
  }

  /**
   * The peak-EWMA estimate of its time to response head at {@code now} (nanoTime), in nanoseconds: the slowest
   * recent try at once, faster ones averaged in, decaying while there are none; 0 before any.
   */
  public double latencyEstimateNanos(long now) {
    return peakLatency.nanos(now);
  }

  /**
   * The latencies recorded since the previous call, in microseconds; {@code recycle} (a histogram this method
   * returned before, or null) is reused for the next interval. One reader at a time.
   */
  public Histogram latencySince(Histogram recycle) {
    return latency.getIntervalHistogram(recycle);
  }

  /** Its caches as a passed probe of {@code /health} reported them. */
  void reported(Map<String, CacheLookups> caches) {
    this.caches = caches;
  }

  public boolean healthy() {
    return healthy;
  }

  public boolean ejected(long now) {
    return now < ejectedUntil.get();
  }

  /** Healthy, not ejected, and neither drained nor taken out by an operator: the balancer may choose it. */
  public boolean available(long now) {
    return rotation == Rotation.AUTOMATIC && healthy && !ejected(now);
  }

  /**
   * The share of its normal traffic an available instance takes: ramps linearly from 10 % to 100 % over the
   * slow-start period after it joined, recovered or came back from an ejection, so a cold JVM is not flooded.
   */
  public double share(long now, HealthPolicy policy) {
    long since = now - availableSince.get();
    if (policy.slowStartMs() == 0 || since >= policy.slowStartMs()) {
      return 1.0;
    }
    return Math.max(HealthPolicy.SLOW_START_MIN_SHARE, (double) Math.max(0, since) / policy.slowStartMs());
  }

  /** A request got a response that is not a 5xx: the failure streak ends. */
  public void succeeded() {
    consecutiveFailures.set(0);
  }

  /**
   * A request failed (connection failure, 5xx or timeout). Returns true when this failure ejects the instance:
   * it was the K-th in a row and {@code mayEject} (the panic threshold) allows it.
   */
  public boolean failed(long now, HealthPolicy policy, boolean mayEject) {
    failures.increment();
    if (consecutiveFailures.incrementAndGet() < policy.ejectAfterFailures() || ejected(now) || !mayEject) {
      return false;
    }
    consecutiveFailures.set(0);
    long previousEnd = ejectedUntil.get();
    // Consecutive ejections lengthen; an instance that behaved for a while starts from the base again.
    int n = previousEnd != 0 && now - previousEnd < policy.ejectMaxMs() ? ejections.incrementAndGet() : resetTo1();
    long until = now + policy.ejectionMs(n);
    ejectedUntil.set(until);
    availableSince.set(until);
    return true;
  }

  private int resetTo1() {
    ejections.set(1);
    return 1;
  }

  /** A connection to it was refused or broken: as bad as failed probes, so it is unhealthy at once. */
  public void unreachable() {
    probeStreak.set(0);
    healthy = false;
  }

  /**
   * Records a probe of {@code /health}. Returns true when this probe changed the instance's health (it became
   * unhealthy after N failures, or healthy again after M passes).
   */
  public boolean probed(boolean passed, long now, HealthPolicy policy) {
    int streak = probeStreak.updateAndGet(s -> passed ? Math.max(s, 0) + 1 : Math.min(s, 0) - 1);
    if (healthy && streak <= -policy.unhealthyAfter()) {
      healthy = false;
      return true;
    }
    if (!healthy && streak >= policy.healthyAfter()) {
      availableSince.set(now);
      healthy = true;
      return true;
    }
    return false;
  }

  /** The state /admin/services shows: draining or out (an operator's), ejected, unhealthy, slow-start, in-rotation. */
  public String state(long now, HealthPolicy policy) {
    if (rotation == Rotation.DRAINING) {
      return "draining";
    }
    if (rotation == Rotation.OUT) {
      return "out";
    }
    if (ejected(now)) {
      return "ejected";
    }
    if (!healthy) {
      return "unhealthy";
    }
    return share(now, policy) < 1.0 ? "slow-start" : "in-rotation";
  }

  public JsonObject toJson(long now, HealthPolicy policy) {
    long until = ejectedUntil.get();
    return new JsonObject()
        .put("instanceId", instanceId)
        .put("host", host)
        .put("port", port)
        .put("nodeId", nodeId)
        .put("state", state(now, policy))
        .put("inRotation", available(now))
        .put("ejectedUntil", now < until ? Instant.ofEpochMilli(until).toString() : null)
        .put("weight", weight())
        .put("inFlight", inFlight.get())
        .put("requests", requests())
        .put("failures", failures())
        .put("latencyEstimateMs", Math.round(peakLatency.nanos(System.nanoTime()) / 10_000) / 100.0)
        .put("caches", caches.isEmpty() ? null : cachesJson());
  }

  private JsonObject cachesJson() {
    JsonObject json = new JsonObject();
    caches.forEach((name, lookups) -> json.put(name, lookups.toJson()));
    return json;
  }

  @Override
  public String toString() {
    return service + "/" + instanceId + "@" + host + ":" + port;
  }
}
