package io.catalogsuite.cache;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.MultiExecutionCallback;
import io.catalogsuite.common.cache.MapStatsTask;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;

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
    Promise<Map<Member, Object>> answers = Promise.promise();
    hazelcast.getExecutorService(EXECUTOR).submitToAllMembers(new MapStatsTask(mapName),
        new MultiExecutionCallback() {
          @Override
          public void onResponse(Member member, Object value) {
            // all answers arrive together in onComplete
          }

          @Override
          public void onComplete(Map<Member, Object> values) {
            answers.complete(values);
          }
        });
    var context = vertx.getOrCreateContext();
    return answers.future().map(values -> summarize(values)).transform(result -> {
      // Hazelcast completes on its own thread; hand the result back to the caller's event loop.
      Promise<JsonObject> onContext = Promise.promise();
      context.runOnContext(v -> onContext.handle(result));
      return onContext.future();
    });
  }

  @SuppressWarnings("unchecked")
  static JsonObject summarize(Map<Member, Object> answers) {
    long entries = 0;
    long hits = 0;
    long misses = 0;
    long gets = 0;
    long puts = 0;
    long removes = 0;
    long evictions = 0;
    long expirations = 0;
    int members = 0;
    for (Object answer : answers.values()) {
      if (!(answer instanceof Map)) {
        continue; // a member that failed to answer (leaving the cluster) contributes nothing
      }
      Map<String, Long> stats = (Map<String, Long>) answer;
      members++;
      entries += stats.get("entries");
      hits += stats.get("hits");
      misses += stats.get("misses");
      gets += stats.get("gets");
      puts += stats.get("puts");
      removes += stats.get("removes");
      evictions += stats.get("evictions");
      expirations += stats.get("expirations");
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
        .put("members", members);
  }
}
