package io.catalogsuite.gateway.balance;

import io.catalogsuite.gateway.discovery.Upstream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing on an affinity key (a configured header, or the client address): the same key goes to
 * the same instance while it is a candidate, and when an instance leaves only the keys it held move.
 *
 * <p>Each instance stands at {@value #POINTS_PER_INSTANCE} points of a hash ring, placed by hashing its
 * instance id (stable across restarts and refreshes); a key belongs to the first point at or after its hash.
 * The ring is built once per candidate set.
 */
final class ConsistentHash implements LoadBalancer {
  static final int POINTS_PER_INSTANCE = 160;
  private volatile Ring ring = new Ring(List.of(), new TreeMap<>());

  private record Ring(List<Upstream> candidates, TreeMap<Long, Upstream> points) {
  }

  @Override
  public Upstream pick(List<Upstream> candidates, String affinityKey) {
    Ring current = ring;
    if (!current.candidates().equals(candidates)) {
      current = new Ring(List.copyOf(candidates), build(candidates));
      ring = current;
    }
    Map.Entry<Long, Upstream> owner = current.points().ceilingEntry(hash(affinityKey == null ? "" : affinityKey));
    return (owner != null ? owner : current.points().firstEntry()).getValue();
  }

  private static TreeMap<Long, Upstream> build(List<Upstream> candidates) {
    TreeMap<Long, Upstream> points = new TreeMap<>();
    for (Upstream candidate : candidates) {
      for (int i = 0; i < POINTS_PER_INSTANCE; i++) {
        points.put(hash(candidate.instanceId() + "#" + i), candidate);
      }
    }
    return points;
  }

  /** FNV-1a over the UTF-8 bytes, finished with the SplitMix64 mixer for an even spread over the ring. */
  static long hash(String value) {
    long h = 0xcbf29ce484222325L;
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
