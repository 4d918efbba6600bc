package io.catalogsuite.gateway.protect;

import com.hazelcast.map.IMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Shares the rate-limit budgets between the gateways of a cluster ({@code RATE_LIMIT_SCOPE=cluster}), in batches
 * rather than per request: requests are decided against local buckets only, and every sync interval each
 * gateway
 * <ol>
 *   <li>publishes, in the Hazelcast map {@value #MAP_NAME} under its node id, how many requests it has admitted
 *       per route and client (counts since each bucket was created), and
 *   <li>reads every other gateway's counts and drains what they admitted since its last read from its own
 *       buckets, down to empty.
 * </ol>
 * The budget is shared approximately: a gateway learns of the others' requests up to about two sync intervals
 * late, so a client spreading a burst over N gateways can get up to N bursts through before the gateways
 * catch up, and then about one sync interval's worth of refill more per extra gateway. A gateway seen for the
 * first time has all its counts drained (conservative: right after a gateway joins, the clients active in the last
 * half minute or so may find their budget smaller there, never larger). A gateway that stops publishing (killed) drops out of the
 * map when its entry expires.
 *
 * <p>{@link #sync()} blocks on the cluster: it runs on a worker thread, never two at a time.
 */
final class ClusterUsage {
  static final String MAP_NAME = "gateway-rate-limit-usage";
  /** How many sync intervals a gateway's entry outlives its last publication, at least 10 s. */
  private static final int ENTRY_TTL_INTERVALS = 25;
  private static final long MIN_ENTRY_TTL_MS = 10_000;

  private final IMap<String, HashMap<String, Long>> usage;
  private final String gatewayId;
  private final Map<String, RateLimiter> limiters;
  private final long entryTtlMs;
  /** Per other gateway, the counts drained so far. Only {@link #sync()} touches it, never concurrently. */
  private Map<String, Map<String, Long>> drained = new HashMap<>();

  ClusterUsage(IMap<String, HashMap<String, Long>> usage, String gatewayId, Map<String, RateLimiter> limiters,
      long syncIntervalMs) {
    this.usage = usage;
    this.gatewayId = gatewayId;
    this.limiters = limiters;
    this.entryTtlMs = Math.max(MIN_ENTRY_TTL_MS, ENTRY_TTL_INTERVALS * syncIntervalMs);
  }

  /** Publishes this gateway's counts and drains what the others admitted since the last sync. */
  void sync() {
    HashMap<String, Long> mine = new HashMap<>();
    limiters.forEach((route, limiter) ->
        limiter.admittedCounts().forEach((client, count) -> mine.put(route + " " + client, count)));
    usage.set(gatewayId, mine, entryTtlMs, TimeUnit.MILLISECONDS);

    Map<String, Map<String, Long>> seen = new HashMap<>();
    for (Map.Entry<String, HashMap<String, Long>> gateway : usage.entrySet()) {
      if (gateway.getKey().equals(gatewayId)) {
        continue;
      }
      Map<String, Long> before = drained.getOrDefault(gateway.getKey(), Map.of());
      gateway.getValue().forEach((key, count) -> {
        long previous = before.getOrDefault(key, 0L);
        // A count below the last one is a bucket that was dropped and created again: all of it is new.
        long spent = count >= previous ? count - previous : count;
        if (spent > 0) {
          drain(key, spent);
        }
      });
      seen.put(gateway.getKey(), gateway.getValue());
    }
    drained = seen;
  }

  private void drain(String key, long tokens) {
    int separator = key.indexOf(' ');
    RateLimiter limiter = separator < 0 ? null : limiters.get(key.substring(0, separator));
    if (limiter != null) { // another gateway may limit a route this one does not
      limiter.drain(key.substring(separator + 1), tokens);
    }
  }
}
