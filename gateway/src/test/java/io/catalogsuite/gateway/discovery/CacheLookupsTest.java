package io.catalogsuite.gateway.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an instance's /health body says of its caches, as the health checker reads it. */
class CacheLookupsTest {
  private static Map<String, CacheLookups> read(String body) {
    return CacheLookups.fromHealth(Buffer.buffer(body));
  }

  @Test
  void readsEachCache_inItsOrder() {
    Map<String, CacheLookups> caches = read("""
        {"status":"UP","caches":{"near":{"hits":3,"misses":1},"shared":{"hits":0,"misses":0}}}""");
    assertThat(caches).containsExactly(Map.entry("near", new CacheLookups(3, 1)),
        Map.entry("shared", new CacheLookups(0, 0)));
    assertThat(caches.get("near").hitRatio()).isEqualTo(0.75);
    assertThat(caches.get("shared").hitRatio()).isZero();
    assertThat(caches.get("near").toJson())
        .isEqualTo(new JsonObject().put("hits", 3L).put("misses", 1L).put("hitRatio", 0.75));
  }

  @Test
  void aBodyWithoutCaches_orNotJson_reportsNone() {
    assertThat(read("")).isEmpty();
    assertThat(read("{\"status\":\"UP\"}")).isEmpty();
    assertThat(read("not json")).isEmpty();
    assertThat(read("[1,2]")).isEmpty();
    assertThat(read("{\"caches\":[1]}")).isEmpty();
  }

  @Test
  void whatIsNotOfTheShape_isLeftOut_andTheListIsBounded() {
    assertThat(read("""
        {"caches":{"ok":{"hits":1,"misses":2},"neg":{"hits":-1,"misses":2},"text":{"hits":"1","misses":2},
         "bad name!":{"hits":1,"misses":2},"flat":7}}""")).containsOnlyKeys("ok");
    StringBuilder many = new StringBuilder("{\"caches\":{");
    for (int i = 0; i < 10; i++) {
      many.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":{\"hits\":1,\"misses\":1}");
    }
    assertThat(read(many.append("}}").toString())).hasSize(CacheLookups.MAX_CACHES);
    assertThatThrownBy(() -> new CacheLookups(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
