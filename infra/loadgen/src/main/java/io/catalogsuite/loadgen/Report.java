package io.catalogsuite.loadgen;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a run found, written as {@code load-report.json} (every figure) and {@code load-report.html} (the same
 * figures plotted with uPlot, from its WebJar, inlined: the page needs no network and no build step).
 */
final class Report {
  static final String JSON_FILE = "load-report.json";
  static final String HTML_FILE = "load-report.html";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

  private Report() {
  }

  /** One offered rate of a run: what was measured, and the balancer's split in it. */
  record Step(double offeredRate, OpenLoop.Result result, JsonObject fairness) {
  }

  /**
   * The knee of a ramp: the highest offered rate that kept the p99 below the target with no error and nothing
   * dropped, as did every lower rate (the first step that fails ends the search; what comes after is overload).
   */
  static Optional<Step> knee(List<Step> steps, double p99TargetMs) {
    Step knee = null;
    for (Step step : steps) {
      Recording total = step.result().total();
      if (total.percentileMs(99) >= p99TargetMs || total.errors() > 0 || total.dropped() > 0) {
        break;
      }
      knee = step;
    }
    return Optional.ofNullable(knee);
  }

  static JsonObject json(LoadOptions options, Instant started, Balancing balancing, List<Step> steps,
      Recording total, JsonObject fairness) {
    double seconds = options.duration().toMillis() / 1000.0;
    double p99Target = options.p99Target().toNanos() / 1e6;
    JsonObject weights = new JsonObject();
    balancing.weights().forEach(weights::put);
    JsonArray stepsJson = new JsonArray();
    JsonArray secondsJson = new JsonArray();
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      stepsJson.add(new JsonObject().put("step", i).put("offeredRate", step.offeredRate())
          .put("firstSecond", secondsJson.size())
          .put("total", step.result().total().toJson(seconds)).put("fairness", step.fairness()));
      for (Recording second : step.result().seconds()) {
        secondsJson.add(second.toJson(1.0).put("second", secondsJson.size()).put("step", i));
      }
    }
    JsonObject json = new JsonObject()
        .put("startedAt", started.toString())
        .put("gateway", options.gateway().toString())
        .put("mode", options.ramp() ? "ramp" : "steady")
        .put("rate", options.rate())
        .put("stepSeconds", seconds)
        .put("p99TargetMs", p99Target)
        .put("connections", options.connections())
        .put("timeoutMs", options.timeout().toMillis())
        .put("seed", options.seed())
        .put("hotSet", options.hotSet())
        .put("mix", new JsonObject(options.mix().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().label(), e -> (Object) e.getValue()))))
        .put("balancing", new JsonObject().put("strategy", balancing.strategy().orElse(null))
            .put("weights", weights))
        .put("steps", stepsJson)
        .put("total", total.toJson(seconds * steps.size()))
        .put("fairness", fairness)
        .put("seconds", secondsJson);
    if (options.ramp()) {
      json.put("knee", knee(steps, p99Target).map(step -> new JsonObject()
          .put("offeredRate", step.offeredRate())
          .put("achievedPerSecond", step.result().total().completed() / seconds)
          .put("p99Ms", step.result().total().percentileMs(99))).orElse(null));
    }
    return json;
  }

  /** The page: the template with uPlot and the report inlined. */
  static String html(JsonObject report) {
    // Inside <script>, "</" would end the element early; as JSON, \u003c is the same character.
    String data = report.encode().replace("<", "\\u003c");
    return resource("io/catalogsuite/loadgen/report.html")
        .replace("/*UPLOT_CSS*/", resource(UPLOT + "uPlot.min.css"))
        .replace("/*UPLOT_JS*/", resource(UPLOT + "uPlot.iife.min.js"))
        .replace("/*REPORT*/", data);
  }

  /** Writes both files into {@code directory}, each whole or not at all; returns the page's path. */
  static Path write(Path directory, JsonObject report) throws IOException {
    write(directory.resolve(JSON_FILE), report.encodePrettily());
    Path page = directory.resolve(HTML_FILE);
    write(page, html(report));
    return page;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "load-report", ".tmp");
    Files.writeString(temporary, text);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String resource(String name) {
    try (InputStream in = Report.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
