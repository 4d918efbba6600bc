package io.catalogsuite.catalog.imports;

import static io.catalogsuite.testing.ProblemAssertions.assertProblem;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /imports} and {@code GET /imports/{id}} on two real catalog-service members sharing the work over
 * the clustered event bus, on a real Postgres, over real HTTP.
 */
class ImportIT {
  private static final int BATCH_ROWS = 200;
  private static final long MAX_BYTES = 21 * 1024 * 1024;
  private static final Duration COMPLETION = Duration.ofSeconds(120); // generous: CI machines are shared
  private static CatalogCluster cluster;
  private static TestHttp a;
  private static TestHttp b;
  private static SqlClient sql;
  private static Vertx vertx;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(2, 5, new ImportConfig(BATCH_ROWS, MAX_BYTES, 5, 200, 2));
    a = cluster.http(0);
    b = cluster.http(1);
    sql = cluster.sql();
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() {
    await(http.close());
    await(vertx.close());
    cluster.close();
  }

  /** The product on line {@code i} of a generated import. */
  static JsonObject product(String run, long i) {
    return new JsonObject().put("sku", run + "-" + i).put("name", "Product " + i).put("category", run)
        .put("priceCents", i * 3).put("currency", "EUR").put("stock", i % 50).put("attributes",
            new JsonObject().put("i", i));
  }

  static HttpResponse<Buffer> upload(TestHttp http, Buffer body) {
    return await(http.request(HttpMethod.POST, "/imports").putHeader("Content-Type", "application/x-ndjson")
        .putHeader("X-Forwarded-Prefix", "/api/catalog").sendBuffer(body));
  }

  /** Uploads a file as a stream: it is never in memory whole, here or on the server. */
  static HttpResponse<Buffer> uploadFile(TestHttp http, Path file) {
    AsyncFile stream = await(vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)));
    try {
      return await(http.request(HttpMethod.POST, "/imports").putHeader("Content-Type", "application/x-ndjson")
          .sendStream(stream));
    } finally {
      stream.close();
    }
  }

  static JsonObject accepted(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
    JsonObject job = response.bodyAsJsonObject();
    assertThat(response.getHeader("Location")).isEqualTo("/api/catalog/imports/" + job.getString("id"));
    assertThat(job.getString("state")).isIn("processing", "completed");
    return job;
  }

  static JsonObject awaitCompleted(TestHttp http, String id) {
    return http.awaitResponse("/imports/" + id,
        r -> r.statusCode() == 200 && r.bodyAsJsonObject().getString("state").equals("completed"), COMPLETION)
        .bodyAsJsonObject();
  }

  private static List<Row> rows(String query, Object... params) {
    List<Row> rows = new ArrayList<>();
    await(sql.preparedQuery(query).execute(Tuple.from(params))).forEach(rows::add);
    return rows;
  }

  private static long count(String query, Object... params) {
    return rows(query, params).get(0).getLong(0);
  }

  /**
   * 3,000 lines (15 batches), with bad lines of every kind at known places, duplicate skus within and across
   * batches, unicode and SQL injection as data.
   */
  @Test
  void importOfMixedLines_exactRowsAndLineErrors_spreadOverBothInstances_andAReimportIsHarmless() {
    String run = "MIX-" + UUID.randomUUID().toString().substring(0, 8);
    Map<Long, String> bad = new HashMap<>();
    Map<String, JsonObject> expected = new HashMap<>();
    Buffer body = Buffer.buffer();
    for (long i = 1; i <= 3000; i++) {
      JsonObject product = product(run, i);
      String line = product.encode();
      if (i == 5) {
        line = "{\"sku\": ";
        bad.put(i, "not JSON");
      } else if (i == 17) {
        line = "[1, 2, 3]";
        bad.put(i, "not a JSON object");
      } else if (i == 42) {
        line = product.put("priceCents", -1).encode();
        bad.put(i, "/priceCents: ");
      } else if (i == 100) {
        product.remove("sku");
        line = product.encode();
        bad.put(i, "/sku: is required");
      } else if (i == 333) {
        line = product.put("description", "x".repeat(70_000)).encode();
        bad.put(i, "line longer than 65536 bytes");
      } else if (i == 500) {
        line = "   "; // blank: skipped, not a row
      } else if (i == 1500) {
        line = line + " trailing";
        bad.put(i, "not JSON");
      } else if (i == 1600) {
        body.appendString("{\"sku\": \"").appendBytes(new byte[] {(byte) 0xFF, (byte) 0xFE}).appendString("\"}\n");
        bad.put(i, "not UTF-8 text");
        continue;
      } else if (i == 210 || i == 250) { // same sku twice in one batch (lines 201-400): the later line wins
        line = product.put("sku", run + "-DUP-IN").put("name", "dup in batch, line " + i).encode();
      } else if (i == 50 || i == 2950) { // same sku in two batches, written in either order: the later line wins
        line = product.put("sku", run + "-DUP-ACROSS").put("name", "dup across batches, line " + i).encode();
      } else if (i == 777) {
        line = product.put("name", "Ünïcødé ✓ 漢字 🚀").put("attributes", new JsonObject().put("emoji", "👍")).encode();
      } else if (i == 800) {
        line = product.put("name", "Robert'); DROP TABLE products;--")
            .put("description", "' OR 1=1; DELETE FROM import_jobs; --").encode();
      }
      if (!bad.containsKey(i) && i != 500) {
        expected.put(product.getString("sku"), product);
      }
      body.appendString(line).appendString(i == 60 ? "\r\n" : i == 3000 ? "" : "\n"); // the last has no line end
    }

    JsonObject job = accepted(upload(a, body));
    String id = job.getString("id");
    assertThat(job.getLong("linesReceived")).isEqualTo(2999);
    assertThat(job.getJsonObject("progress").getMap()).as("the client announced the size: a share from the start")
        .containsEntry("bytesExpected", body.length()).containsEntry("bytesStored", body.length())
        .containsEntry("stored", 1.0);
    JsonObject done = awaitCompleted(b, id); // any instance answers for any job
    assertThat(done.getJsonObject("progress").getMap()).containsEntry("bytesProcessed", body.length())
        .containsEntry("processed", 1.0);
    assertThat(done.getJsonObject("batches").getMap()).containsEntry("total", 15).containsEntry("done", 15);
    assertThat(done.getLong("rowsDone")).isEqualTo(2999 - bad.size());
    assertThat(done.getLong("rowsFailed")).isEqualTo(bad.size());
    assertThat(done.getLong("rowsPerSecond")).isPositive();
    assertThat(done.getString("finishedAt")).isNotNull();
    JsonArray errors = done.getJsonArray("errors");
    assertThat(errors.stream().map(e -> ((JsonObject) e).getLong("line")))
        .containsExactlyElementsOf(bad.keySet().stream().sorted().toList());
    errors.forEach(e -> {
      JsonObject error = (JsonObject) e;
      assertThat(error.getString("reason")).startsWith(bad.get(error.getLong("line")))
          .doesNotContain("Exception").doesNotContain("\tat ");
    });
    assertThat(done.getValue("nextErrorsAfter")).isNull();

    assertProducts(run, expected, 1);
    assertThat(rows("SELECT DISTINCT processed_by FROM import_batches WHERE job_id = $1", UUID.fromString(id)))
        .extracting(row -> row.getString(0)).as("batches written by both instances")
        .containsExactlyInAnyOrder(cluster.catalog(0).config().instanceId(), cluster.catalog(1).config().instanceId());
    assertThat(count("SELECT count(*) FROM import_batches WHERE job_id = $1 AND lines IS NOT NULL",
        UUID.fromString(id))).as("raw lines dropped once written").isZero();

    // Read one of them on both instances, so that the cache holds it: the next import's events must invalidate it.
    long cached = rows("SELECT id FROM products WHERE sku = $1", expected.keySet().iterator().next()).get(0).getLong(0);
    int version = a.get("/products/" + cached).bodyAsJsonObject().getInteger("version");
    assertThat(b.get("/products/" + cached).bodyAsJsonObject().getInteger("version")).isEqualTo(version);

    // The same file again: the same products, every one of them one version further, nothing doubled.
    String again = accepted(upload(b, body)).getString("id");
    assertThat(awaitCompleted(a, again).getLong("rowsDone")).isEqualTo(2999 - bad.size());
    assertProducts(run, expected, 2);
    for (TestHttp http : List.of(a, b)) { // completed means visible: at once, on every instance
      assertThat(http.get("/products/" + cached).bodyAsJsonObject().getInteger("version")).isEqualTo(version + 1);
    }
  }

  /**
   * The products of {@code run} are exactly {@code expected}, and each one has one imported event per version:
   * {@code imports} imports wrote them (one more version when the two lines of a sku in different batches were
   * written in line order).
   */
  private static void assertProducts(String run, Map<String, JsonObject> expected, int imports) {
    List<Row> stored = rows("""
        SELECT p.sku, p.name, p.description, p.price_cents, p.stock, p.attributes, p.version,
               coalesce(e.events, 0) AS events
          FROM products p
          LEFT JOIN (SELECT sku, count(*) AS events FROM product_events WHERE type = 'product.imported'
                      GROUP BY sku) e ON e.sku = p.sku
         WHERE p.category = $1""", run);
    assertThat(stored).hasSize(expected.size());
    for (Row row : stored) {
      JsonObject want = expected.get(row.getString("sku"));
      assertThat(want).as(row.getString("sku")).isNotNull();
      assertThat(row.getString("name")).isEqualTo(want.getString("name"));
      assertThat(row.getString("description")).isEqualTo(want.getString("description"));
      assertThat(row.getLong("price_cents")).isEqualTo(want.getLong("priceCents"));
      assertThat(row.getInteger("stock")).isEqualTo(want.getInteger("stock"));
      assertThat(row.getJsonObject("attributes")).isEqualTo(want.getJsonObject("attributes"));
      int version = row.getInteger("version");
      assertThat(row.getLong("events")).as("one event per version of %s", row.getString("sku")).isEqualTo(version);
      if (row.getString("sku").endsWith("-DUP-ACROSS")) {
        assertThat(version).isBetween(imports, 2 * imports);
      } else {
        assertThat(version).as(row.getString("sku")).isEqualTo(imports);
      }
    }
  }

  @Test
  void largeImport_streamedBothWays_completes(@TempDir Path dir) throws IOException {
    String run = "BIG-" + UUID.randomUUID().toString().substring(0, 8);
    String padding = "p".repeat(1_900);
    Path file = write(dir.resolve("big.ndjson"), 10_000, i -> product(run, i).put("description", padding).encode());
    assertThat(Files.size(file)).isGreaterThan(20_000_000);

    JsonObject job = uploadFile(a, file).bodyAsJsonObject();
    // Chunked: no size was announced, so the shares are known once the upload has ended, as now.
    JsonObject received = job.getJsonObject("progress");
    assertThat(received.getValue("bytesExpected")).isNull();
    assertThat(received.getLong("bytesStored")).isEqualTo(Files.size(file));
    assertThat(received.getDouble("stored")).isEqualTo(1.0);
    List<Double> processed = new ArrayList<>();
    JsonObject done = a.awaitResponse("/imports/" + job.getString("id"), r -> {
      JsonObject status = r.bodyAsJsonObject();
      processed.add(status.getJsonObject("progress").getDouble("processed"));
      return status.getString("state").equals("completed");
    }, COMPLETION).bodyAsJsonObject();
    assertThat(processed).as("the processed share only grows, to 1").isSorted().last().isEqualTo(1.0);
    assertThat(processed.get(0)).isBetween(0.0, 1.0);
    assertThat(done.getLong("rowsDone")).isEqualTo(10_000);
    assertThat(done.getLong("rowsFailed")).isZero();
    assertThat(count("SELECT count(*) FROM products WHERE category = $1 AND length(description) = 1900", run))
        .isEqualTo(10_000);
  }

  private static Path write(Path file, long lines, LongFunction<String> line) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 1; i <= lines; i++) {
        out.write(line.apply(i));
        out.write('\n');
      }
    }
    return file;
  }

  /**
   * Two products 4 million blank lines apart (4 MiB of line ends): the blank lines count against the batches'
   * rows, so no batch holds more than {@value #BATCH_ROWS} elements. Before, the first batch kept one element per
   * blank line until the next product (4 million here, bounded only by IMPORT_MAX_BYTES).
   */
  @Test
  void blankLinePadding_countsAgainstTheBatches() {
    String run = "BLANK-" + UUID.randomUUID().toString().substring(0, 8);
    int blanks = 4_000_000;
    Buffer body = Buffer.buffer(blanks + 1024).appendString(product(run, 1).encode() + "\n");
    body.appendBytes("\n".repeat(blanks).getBytes(StandardCharsets.US_ASCII));
    body.appendString(product(run, 2).encode() + "\n");
    String id = accepted(upload(a, body)).getString("id");
    JsonObject done = awaitCompleted(a, id);
    assertThat(done.getLong("rowsDone")).isEqualTo(2);
    assertThat(done.getJsonObject("batches").getMap()).as("one batch per product").containsEntry("total", 2);
    assertThat(rows("SELECT first_line FROM import_batches WHERE job_id = $1 ORDER BY seq", UUID.fromString(id)))
        .extracting(row -> row.getLong(0)).containsExactly(1L, 2L + blanks);
    assertThat(count("SELECT count(*) FROM products WHERE category = $1", run)).isEqualTo(2);
  }

  @Test
  void rowRefusedByTheDatabase_becomesAnErrorOfItsLine_andTheRestLands() {
    String run = "DB-" + UUID.randomUUID().toString().substring(0, 8);
    // A rule only Postgres knows, so the line passes validation and the batch falls back to row by row.
    await(sql.query("ALTER TABLE products ADD CONSTRAINT import_it_refused CHECK (name <> 'refused by Postgres')")
        .execute());
    try {
      Buffer body = Buffer.buffer();
      for (long i = 1; i <= 5; i++) {
        JsonObject product = product(run, i);
        body.appendString((i == 3 ? product.put("name", "refused by Postgres") : product).encode() + "\n");
      }
      JsonObject done = awaitCompleted(a, accepted(upload(a, body)).getString("id"));
      assertThat(done.getLong("rowsDone")).isEqualTo(4);
      assertThat(done.getLong("rowsFailed")).isEqualTo(1);
      JsonObject error = done.getJsonArray("errors").getJsonObject(0);
      assertThat(error.getLong("line")).isEqualTo(3);
      assertThat(error.getString("reason")).startsWith("refused by the database: ").contains("import_it_refused");
      assertThat(count("SELECT count(*) FROM products WHERE category = $1", run)).isEqualTo(4);
      assertThat(count("SELECT count(*) FROM product_events WHERE sku LIKE $1", run + "-%")).isEqualTo(4);
    } finally {
      await(sql.query("ALTER TABLE products DROP CONSTRAINT import_it_refused").execute());
    }
  }

  @Test
  void clientGoneMidUpload_abortsTheJob_andNoBatchOfItIsLeftToWrite() {
    String run = "GONE-" + UUID.randomUUID().toString().substring(0, 8);
    HttpClientRequest request = await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(cluster.catalog(0).port()).setURI("/imports")
        .putHeader("Content-Type", "application/x-ndjson")));
    request.setChunked(true);
    for (long i = 1; i <= 3 * BATCH_ROWS + 10; i++) {
      request.write(product(run, i).encode() + "\n");
    }
    // The only job receiving now (the tests of this class run one at a time).
    String receiving = "SELECT id FROM import_jobs WHERE state = 'receiving' AND batches = 3";
    Waits.until("three batches stored", Duration.ofSeconds(30), () -> !rows(receiving).isEmpty());
    UUID job = rows(receiving).get(0).getUUID(0);
    await(request.reset());

    Waits.until("the job aborted", Duration.ofSeconds(30),
        () -> a.get("/imports/" + job).bodyAsJsonObject().getString("state").equals("aborted"));
    JsonObject status = b.get("/imports/" + job).bodyAsJsonObject();
    assertThat(status.getString("error")).isEqualTo("the upload was interrupted before its end");
    assertThat(status.getString("finishedAt")).isNotNull();
    assertThat(count("SELECT count(*) FROM import_batches WHERE job_id = $1 AND state <> 'done'", job)).isZero();
    // What was written before the abort stays (and is all that was written): done batches, whole.
    assertThat(count("SELECT count(*) FROM products WHERE category = $1", run))
        .isEqualTo(status.getLong("rowsDone"))
        .isEqualTo(count("SELECT count(*) FROM import_batches WHERE job_id = $1", job) * BATCH_ROWS);
  }

  /**
   * While an upload of announced size arrives, its job says how much is stored, as a share of that size (the job
   * is found in Postgres: its id reaches the client with the 202, at the end).
   */
  @Test
  void progress_whileTheUploadArrives_isAShareOfTheAnnouncedSize() {
    String run = "PROG-" + UUID.randomUUID().toString().substring(0, 8);
    Buffer body = Buffer.buffer();
    for (long i = 1; i <= 4 * BATCH_ROWS; i++) {
      body.appendString(product(run, i).encode()).appendString("\n");
    }
    Buffer half = body.getBuffer(0, body.length() / 2);
    HttpClientRequest request = await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(cluster.catalog(0).port()).setURI("/imports")
        .putHeader("Content-Type", "application/x-ndjson")
        .putHeader("Content-Length", Integer.toString(body.length()))));
    Future<JsonObject> answer = request.response().compose(r -> r.body().map(Buffer::toJsonObject));
    await(request.write(half));
    Waits.until("the first batches stored", Duration.ofSeconds(30), () -> count(
        "SELECT count(*) FROM import_jobs WHERE state = 'receiving' AND bytes_expected = $1 AND bytes_stored > 0",
        (long) body.length()) == 1);
    UUID job = rows("SELECT id FROM import_jobs WHERE state = 'receiving' AND bytes_expected = $1",
        (long) body.length()).get(0).getUUID(0);
    JsonObject receiving = a.get("/imports/" + job).bodyAsJsonObject();
    assertThat(receiving.getString("state")).isEqualTo("receiving");
    JsonObject progress = receiving.getJsonObject("progress");
    assertThat(progress.getLong("bytesExpected")).isEqualTo(body.length());
    assertThat(progress.getDouble("stored")).isGreaterThan(0).isLessThanOrEqualTo(0.5 + 1e-9);
    assertThat(progress.getDouble("processed")).isBetween(0.0, progress.getDouble("stored"));

    await(request.end(body.getBuffer(half.length(), body.length())));
    assertThat(await(answer).getString("id")).isEqualTo(job.toString());
    assertThat(awaitCompleted(a, job.toString()).getJsonObject("progress").getMap())
        .containsEntry("stored", 1.0).containsEntry("processed", 1.0);
  }

  @Test
  void badRequests_getProblems_andWriteNothing(@TempDir Path dir) throws IOException {
    long jobs = count("SELECT count(*) FROM import_jobs");
    assertProblem(a.send(HttpMethod.POST, "/imports", "application/json", Buffer.buffer("{}\n")), 415);
    assertProblem(a.send(HttpMethod.POST, "/imports", null, Buffer.buffer("{}\n")), 415);
    assertProblem(upload(a, Buffer.buffer()), 400);
    assertProblem(upload(a, Buffer.buffer("\n   \r\n\n")), 400);
    assertThat(count("SELECT count(*) FROM import_jobs")).as("nothing stored").isEqualTo(jobs);

    // Too large, said up front: refused before the body is sent. (A client of its own: the request is never
    // completed, so its connection must not be reused.)
    HttpClient once = vertx.createHttpClient();
    HttpClientRequest request = await(once.request(new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(cluster.catalog(0).port()).setURI("/imports")
        .putHeader("Content-Type", "application/x-ndjson").putHeader("Content-Length", Long.toString(MAX_BYTES + 1))
        .putHeader("Expect", "100-continue")));
    request.continueHandler(v -> request.reset());
    // Read on the client's event loop as it arrives: set up before the head is sent, so that the body's handler
    // is in place when the response comes (set up after, it could miss a body that came at once).
    Future<JsonObject> answer = request.response().compose(response -> response.body()
        .map(body -> new JsonObject().put("status", response.statusCode()).put("problem", body.toJsonObject())));
    await(request.sendHead());
    JsonObject tooLarge = await(answer);
    assertThat(tooLarge.getInteger("status")).isEqualTo(413);
    assertThat(tooLarge.getJsonObject("problem").getString("detail")).contains("IMPORT_MAX_BYTES");
    await(request.reset());
    await(once.close());

    // Too large, found while streaming: the job is aborted and what it stored is dropped.
    String run = "HUGE-" + UUID.randomUUID().toString().substring(0, 8);
    Path file = dir.resolve("huge.ndjson");
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 1; i <= BATCH_ROWS; i++) {
        out.write(product(run, i).encode() + "\n");
      }
      String junk = "x".repeat(1024 * 1024);
      for (int i = 0; i < MAX_BYTES / junk.length(); i++) {
        out.write(junk); // one long line with no end, the body just over the limit
      }
    }
    // A client of its own: it is refused before it has sent everything, so its connection must not be reused.
    TestHttp refused = new TestHttp(cluster.catalog(0).port());
    try {
      assertProblem(uploadFile(refused, file), 413);
    } finally {
      refused.close();
    }
    Waits.until("the job aborted", Duration.ofSeconds(30), () -> count(
        "SELECT count(*) FROM import_jobs WHERE state = 'aborted' AND error LIKE 'the body is larger than%'") == 1);

    assertProblem(a.get("/imports/" + UUID.randomUUID()), 404);
    assertProblem(a.get("/imports/not-a-uuid"), 400);
    assertProblem(a.get("/imports/1-1-1-1-1"), 400);
    assertProblem(a.get("/imports/" + UUID.randomUUID() + "?errorsAfter=-1"), 400);
  }

}
