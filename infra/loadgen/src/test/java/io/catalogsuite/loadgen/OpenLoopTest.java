package io.catalogsuite.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs against a stub upstream. */
class OpenLoopTest {
  /** The hot set the options seed: the stub's first requests. */
  private static final int SEEDED = 20;

  @TempDir
  Path dir;

  private LoadOptions options(URI uri, double rate, Duration duration, int connections) {
    return new LoadOptions(uri, rate, duration, false, 8, Duration.ofMillis(100), connections,
        Duration.ofSeconds(10), Map.of(Operation.GET, 6, Operation.LIST, 1, Operation.CREATE, 1,
        Operation.RESERVE, 1, Operation.IMPORT, 1), SEEDED, 3, Optional.of("key"), dir.toString());
  }

  /**
   * A 1.5 s pause of the upstream makes the p99 at least 1 s: the requests due during the pause are timed from
   * when they were due. (A closed-loop client would have sent nothing during the pause, and measured nothing.)
   */
  @Test
  void aStall_showsInTheTail() throws Exception {
    JsonObject total = runWithAStall(Duration.ofSeconds(3), 1_000);
    assertThat(total.getJsonObject("latencyMs").getDouble("p99")).isGreaterThanOrEqualTo(1_000);
    assertThat(total.getLong("dropped")).isZero();
    assertThat(total.getLong("errors")).isZero();
  }

  @Test
  void withoutAStall_theTailIsShort_andTheSplitIsEven() throws Exception {
    try (Stub stub = new Stub()) {
      assertThat(LoadMain.run(options(stub.uri(), 200, Duration.ofSeconds(2), 64), quiet())).isTrue();
      JsonObject report = report();
      JsonObject total = report.getJsonObject("total");
      assertThat(total.getJsonObject("latencyMs").getDouble("p50")).isLessThan(100);
      assertThat(total.getLong("offered")).isBetween(300L, 500L); // 400 expected: Poisson, a fixed seed
      assertThat(total.getLong("completed")).isEqualTo(total.getLong("offered"));
      assertThat(total.getJsonObject("instances").fieldNames()).containsExactlyInAnyOrder("stub-1", "stub-2");
      assertThat(report.getJsonObject("fairness").getString("strategy")).isEqualTo("round-robin");
      assertThat(report.getJsonObject("fairness").getDouble("pValue")).isGreaterThan(0.01);
      assertThat(report.getJsonArray("seconds")).isNotEmpty();
      assertThat(report.getInteger("cleanUpFailures")).isZero();
      assertThat(stub.products()).as("everything the run created is deleted").isEmpty();
    }
  }

  /** With every connection held by the stall, what falls due is counted as dropped, not sent late. */
  @Test
  void requestsDueWhileEveryConnectionIsBusy_areDropped() throws Exception {
    JsonObject total = runWithAStall(Duration.ofSeconds(2), 2);
    assertThat(total.getLong("dropped")).isGreaterThan(50);
    assertThat(total.getLong("completed") + total.getLong("dropped")).isEqualTo(total.getLong("offered"));
  }

  /** 100 requests/s against a stub that stalls 1.5 s, half a second into the run; the report's totals. */
  private JsonObject runWithAStall(Duration duration, int connections) throws Exception {
    try (Stub stub = new Stub()) {
      stub.stallAt(SEEDED + 50, 1_500);
      assertThat(LoadMain.run(options(stub.uri(), 100, duration, connections), quiet())).isTrue();
      return report().getJsonObject("total");
    }
  }

  private JsonObject report() throws Exception {
    return new JsonObject(Files.readString(dir.resolve(Report.JSON_FILE)));
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
