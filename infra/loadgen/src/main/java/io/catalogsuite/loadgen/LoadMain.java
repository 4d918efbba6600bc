package io.catalogsuite.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code loadgen}: seeds what it needs, offers the load open-loop, prints a line a second, cleans up, and writes
 * {@code load-report.json} into the report directory. Exit status 0, or 2 for bad options, 1 for a failed run.
 */
public final class LoadMain {
  private LoadMain() {
  }

  public static void main(String[] args) throws Exception {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("loadgen: " + e.getMessage() + "\n" + LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    System.exit(run(options, System.out) ? 0 : 1);
  }

  /** One run; true when it ran to its end (errors in the responses are results, not failures of the run). */
  static boolean run(LoadOptions options, PrintStream out) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(options.connections()));
      Context loop = vertx.getOrCreateContext();
      Workload workload = new Workload(options, UUID.randomUUID().toString().substring(0, 8));
      out.printf("seeding %d products...%n", options.mix().getOrDefault(Operation.GET, 0) > 0 ? options.hotSet() : 0);
      workload.seed(client).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      out.printf("offering %.0f requests/s for %s over at most %d connections (Poisson arrivals, seed %d)%n",
          options.rate(), options.duration(), options.connections(), options.seed());
      Instant started = Instant.now();
      OpenLoop.Result result = new OpenLoop(loop, client, workload, options)
          .run(options.rate(), second -> {
            if (second.offered() + second.completed() > 0) {
              out.println(line(second));
            }
          })
          .toCompletionStage().toCompletableFuture()
          .get(options.duration().toSeconds() + options.timeout().toSeconds() + 60, TimeUnit.SECONDS);
      int notDeleted = workload.cleanUp(vertx, client).toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      JsonObject report = report(options, started, result).put("cleanUpFailures", notDeleted);
      Path file = Path.of(options.report()).resolve("load-report.json");
      write(file, report.encodePrettily());
      out.println(summary(result.total(), options.duration().toMillis() / 1000.0));
      out.println("report: " + file);
      return true;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static JsonObject report(LoadOptions options, Instant started, OpenLoop.Result result) {
    JsonArray seconds = new JsonArray();
    result.seconds().forEach(second -> seconds.add(second.toJson(1.0)));
    return new JsonObject()
        .put("startedAt", started.toString())
        .put("gateway", options.gateway().toString())
        .put("offeredRate", options.rate())
        .put("durationSeconds", options.duration().toMillis() / 1000.0)
        .put("connections", options.connections())
        .put("seed", options.seed())
        .put("mix", new JsonObject(options.mix().entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().label(), e -> (Object) e.getValue()))))
        .put("total", result.total().toJson(options.duration().toMillis() / 1000.0))
        .put("fairness", Fairness.evenSplit(result.total().instances()))
        .put("seconds", seconds);
  }

  /** The live line of one second: rate, p99, errors, drops and the split over instances. */
  static String line(Recording second) {
    long answered = second.instances().values().stream().mapToLong(Long::longValue).sum();
    String split = second.instances().entrySet().stream()
        .map(e -> e.getKey() + " " + Math.round(100.0 * e.getValue() / Math.max(1, answered)) + "%")
        .collect(Collectors.joining(", "));
    return String.format("offered %5d/s  done %5d/s  p99 %8.2f ms  errors %d  dropped %d  %s",
        second.offered(), second.completed(), second.percentileMs(99), second.errors(), second.dropped(), split);
  }

  private static String summary(Recording total, double seconds) {
    return String.format("total: offered %.0f/s, done %.0f/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
        + " errors %d, dropped %d", total.offered() / seconds, total.completed() / seconds, total.percentileMs(50),
        total.percentileMs(99), total.percentileMs(99.9), total.errors(), total.dropped());
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "load-report", ".tmp");
    Files.writeString(temporary, text);
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
