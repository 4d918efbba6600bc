package io.catalogsuite.cache;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.cacheprotocol.CacheProtocol;
import io.catalogsuite.cacheprotocol.MapStatsTask;
import io.catalogsuite.common.cluster.HazelcastFutures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A map's statistics summed over every cluster member. Hazelcast counts per member, for the entries each
 * member owns, so one member's view is a fraction of the truth.
 *
 * <p>Hits and misses are the lookups made through the suite's read paths (the catalog's cache-aside reads and
 * this service's {@code GET} of an entry), counted where they happen; {@code gets} is Hazelcast's count of get
 * operations.
 */
final class ClusterMapStats {
  private static final String EXECUTOR = "cache-stats";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;

  ClusterMapStats(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
  }

  Future<JsonObject> of(String mapName) {
    Context context = vertx.getOrCreateContext();
    Map<Member, java.util.concurrent.Future<Map<String, Long>>> answers = hazelcast.getExecutorService(EXECUTOR)
        .submitToMembers(new MapStatsTask(mapName), CacheProtocol::spokenBy); // those with the task's class
    List<Future<Map<String, Long>>> each = answers.values().stream()
        .map(answer -> HazelcastFutures.on(context, (CompletionStage<Map<String, Long>>) answer))
        .toList();
    // A member that fails to answer (it is leaving the cluster) contributes nothing.
    return Future.join(each).transform(ignored -> Future.succeededFuture(summarize(each.stream()
        .filter(Future::succeeded).map(Future::result).toList())));
  }

  static JsonObject summarize(List<Map<String, Long>> answers) {
    long entries = 0;
    long hits = 0;
    long misses = 0;
    long gets = 0;
    long puts = 0;
    long removes = 0;
    long evictions = 0;
    long expirations = 0;
    long memoryOfFullest = 0;
    int members = 0;
    for (Map<String, Long> stats : answers) {
      members++;
      entries += stats.get("entries");
      hits += stats.get("hits");
      misses += stats.get("misses");
      gets += stats.get("gets");
      puts += stats.get("puts");
      removes += stats.get("removes");
      evictions += stats.get("evictions");
      expirations += stats.get("expirations");
      memoryOfFullest = Math.max(memoryOfFullest, stats.get("memoryBytes"));
    }
    long lookups = hits + misses;
    return new JsonObject()
        .put("entries", entries)
        .put("hits", hits)
        .put("misses", misses)
        .put("hitRatio", lookups == 0 ? 0.0 : (double) hits / lookups)
        .put("gets", gets)
        .put("puts", puts)
        .put("removes", removes)
        .put("evictions", evictions)
        .put("expirations", expirations)
        .put("maxMemoryBytesPerMember", memoryOfFullest)
        .put("members", members);
  }
}
