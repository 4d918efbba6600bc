package io.catalogsuite.loadgen;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code loadgen}: seeds what it needs, offers the load open-loop, prints a line a second, cleans up, and writes
 * {@code load-report.json} and {@code load-report.html} into the report directory (see {@link Report}). Exit status 0, or 2 for bad options, 1 for a failed run.
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
      Balancing balancing = await(Balancing.of(client, workload, options), 30);
      out.printf("catalog balancing: %s%n", balancing.strategy().orElse("unknown (the key has no admin role)"));
      if (workload.seeds()) {
        out.printf("seeding %d products...%n", options.hotSet());
      }
      await(workload.seed(client), 300);
      Instant started = Instant.now();
      List<Report.Step> steps = new ArrayList<>();
      Recording total = new Recording();
      List<Double> rates = options.rates();
      for (int i = 0; i < rates.size(); i++) {
        double rate = rates.get(i);
        out.printf("%soffering %.0f requests/s for %s over at most %d connections (Poisson arrivals, seed %d)%n",
            rates.size() > 1 ? "step " + (i + 1) + "/" + rates.size() + ": " : "", rate, options.duration(),
            options.connections(), options.seed() + i);
        OpenLoop.Result result = await(new OpenLoop(loop, client, workload, options)
            .run(rate, options.seed() + i, second -> {
              if (second.offered() + second.completed() > 0) {
                out.println(line(second));
              }
            }), options.duration().toSeconds() + options.timeout().toSeconds() + 60);
        steps.add(new Report.Step(rate, result, Fairness.test(balancing, result.total().instances())));
        total.add(result.total());
        out.println(summary(result.total(), options.duration().toMillis() / 1000.0));
      }
      out.println("cleaning up...");
      int notDeleted = await(workload.cleanUp(vertx, client), 300);
      JsonObject report = Report.json(options, started, balancing, steps, total,
          Fairness.test(balancing, total.instances())).put("cleanUpFailures", notDeleted);
      if (report.containsKey("knee")) {
        JsonObject knee = report.getJsonObject("knee");
        long target = options.p99Target().toMillis();
        out.println(knee == null ? String.format("knee: none (no step kept the p99 below %d ms without errors)",
            target) : String.format("knee: %.0f requests/s offered, p99 %.2f ms (target %d ms)",
            knee.getDouble("offeredRate"), knee.getDouble("p99Ms"), target));
      }
      Path page = Report.write(Path.of(options.report()), report);
      out.println("report: " + page + " and " + page.resolveSibling(Report.JSON_FILE));
      return true;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
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
    return String.format("  offered %.0f/s, done %.0f/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"
        + " errors %d, dropped %d", total.offered() / seconds, total.completed() / seconds, total.percentileMs(50),
        total.percentileMs(99), total.percentileMs(99.9), total.errors(), total.dropped());
  }
}
