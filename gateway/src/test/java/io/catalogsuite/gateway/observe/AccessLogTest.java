package io.catalogsuite.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.testing.CapturedLogs;
import io.catalogsuite.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AccessLogTest {

  @Test
  void everyEntry_oneLineOfJson_inBatchesAPipeKeepsWhole() {
    String run = UUID.randomUUID().toString();
    try (CapturedLogs access = CapturedLogs.of("access")) {
      AccessLog log = new AccessLog(new SimpleMeterRegistry());
      for (int i = 0; i < 1_000; i++) {
        log.add(entry(run + "-" + i, "/api/catalog/products/" + i));
      }
      Waits.until("every line written", Duration.ofSeconds(10), () -> lines(access, run).size() == 1_000);
      log.close();
      assertThat(access.lines()).allSatisfy(event -> assertThat(event.length()).isLessThanOrEqualTo(4_096));
      List<JsonObject> lines = lines(access, run).stream().map(JsonObject::new).toList();
      assertThat(lines).extracting(line -> line.getString("requestId"))
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 1_000).mapToObj(i -> run + "-" + i).toList());
      JsonObject first = lines.get(0);
      assertThat(first.getString("time")).isEqualTo("2026-12-02T12:00:00Z");
      assertThat(first.getString("principal")).isNull();
      assertThat(first.getInteger("status")).isEqualTo(200);
      assertThat(first.getDouble("latencyMs")).isEqualTo(1.5);
      assertThat(first.getLong("bytes")).isEqualTo(42);
    }
  }

  /** What a client controls (the path, its request id) cannot break a line or forge a field. */
  @Test
  void hostileText_escaped() {
    String run = UUID.randomUUID().toString();
    String path = "/x\",\"status\":500}\n{\"forged\":\"\u0001\u2028é\\";
    try (CapturedLogs access = CapturedLogs.of("access")) {
      AccessLog log = new AccessLog(new SimpleMeterRegistry());
      log.add(entry(run, path));
      Waits.until("the line written", Duration.ofSeconds(10), () -> lines(access, run).size() == 1);
      log.close();
      JsonObject line = new JsonObject(lines(access, run).get(0));
      assertThat(line.getString("path")).isEqualTo(path);
      assertThat(line.getInteger("status")).isEqualTo(200);
      assertThat(line.containsKey("forged")).isFalse();
    }
  }

  @Test
  void close_writesWhatIsQueued() {
    String run = UUID.randomUUID().toString();
    try (CapturedLogs access = CapturedLogs.of("access")) {
      AccessLog log = new AccessLog(new SimpleMeterRegistry());
      for (int i = 0; i < 500; i++) {
        log.add(entry(run + "-" + i, "/p"));
      }
      log.close();
      Waits.until("every queued line written", Duration.ofSeconds(10), () -> lines(access, run).size() == 500);
      Waits.until("the writer stopped", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(thread -> thread.getName().equals(AccessLog.THREAD_NAME) && thread.isAlive()));
    }
  }

  private static AccessLog.Entry entry(String requestId, String path) {
    return new AccessLog.Entry(1796212800000L, requestId, null, "GET", path, "/api/catalog", null, "catalog-1", 200,
        1_500_000, 42, "127.0.0.1");
  }

  private static List<String> lines(CapturedLogs access, String run) {
    return access.lines().stream().flatMap(String::lines).filter(line -> line.contains(run)).toList();
  }
}
