package io.catalogsuite.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ramp's knee, and the report a ramp writes: its JSON and its page. */
class ReportTest {
  private static final Pattern EMBEDDED =
      Pattern.compile("<script type=\"application/json\" id=\"report\">(.*?)</script>", Pattern.DOTALL);

  @TempDir
  Path dir;

  @Test
  void theKnee_isTheLastRateThatMetTheTarget_beforeTheFirstThatDidNot() {
    List<Report.Step> steps = List.of(step(10, 5, 0), step(20, 8, 0), step(30, 150, 0), step(40, 9, 0));
    assertThat(Report.knee(steps, 100)).map(Report.Step::offeredRate).contains(20.0);
  }

  @Test
  void anError_oraDrop_failsAStep() {
    assertThat(Report.knee(List.of(step(10, 5, 0), step(20, 5, 1)), 100)).map(Report.Step::offeredRate)
        .contains(10.0);
    assertThat(Report.knee(List.of(step(10, 500, 0)), 100)).isEmpty();
  }

  @Test
  void aRamp_writesEveryStep_theKnee_andAPageWithTheSameFigures() throws Exception {
    try (Stub stub = new Stub()) {
      LoadOptions options = LoadOptions.parse(new String[] {"--url", stub.uri().toString(), "--ramp",
          "--rate", "100", "--steps", "3", "--duration", "1s", "--p99-target", "1000ms", "--hot-set", "10",
          "--report", dir.toString()}, Map.of("API_KEY", "key"));
      assertThat(LoadMain.run(options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
          .isTrue();
    }
    JsonObject report = new JsonObject(Files.readString(dir.resolve(Report.JSON_FILE)));
    assertThat(report.getString("mode")).isEqualTo("ramp");
    assertThat(report.getJsonArray("steps").stream().map(s -> ((JsonObject) s).getDouble("offeredRate")))
        .containsExactly(10.0, 80.0, 150.0);
    assertThat(report.getJsonObject("knee").getDouble("offeredRate")).isEqualTo(150.0);
    assertThat(report.getJsonArray("seconds").size()).isGreaterThanOrEqualTo(3);

    String page = Files.readString(dir.resolve(Report.HTML_FILE));
    assertThat(page).doesNotContain("/*UPLOT_CSS*/", "/*UPLOT_JS*/", "/*REPORT*/").contains("uPlot");
    Matcher embedded = EMBEDDED.matcher(page);
    assertThat(embedded.find()).isTrue();
    assertThat(new JsonObject(embedded.group(1))).isEqualTo(report);
  }

  /** A step whose every answer took {@code millis}, with {@code errors} of them 503s. */
  private static Report.Step step(double rate, long millis, int errors) {
    Recording total = new Recording();
    for (int i = 0; i < 100; i++) {
      total.countOffered();
      total.answered(i < errors ? 503 : 200, "a", Duration.ofMillis(millis).toNanos());
    }
    return new Report.Step(rate, new OpenLoop.Result(List.of(total), total), new JsonObject());
  }
}
