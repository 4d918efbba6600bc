package io.catalogsuite.catalog.imports;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.db.Migrations;
import io.catalogsuite.catalog.imports.ImportRepository.BatchKey;
import io.catalogsuite.catalog.imports.ImportRepository.ClaimedBatch;
import io.catalogsuite.catalog.product.ProductValidator;
import io.catalogsuite.common.tracing.Tracing;
import io.catalogsuite.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claims, fencing and aborts of import batches, straight against a real Postgres: no worker runs here, so
 * the test decides who claims what and when.
 */
class ImportRepositoryIT {
  private static final ProductValidator VALIDATOR = new ProductValidator();
  private static Vertx vertx;
  private static SqlClient sql;
  private static Pool pool;
  private static ImportRepository repository;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    PgConnectOptions database = CatalogConfig.database(TestPostgres.createDatabase());
    await(Migrations.apply(vertx, database));
    sql = PgBuilder.client().connectingTo(database).using(vertx).build();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(database).using(vertx).build();
    repository = new ImportRepository(sql, pool, Tracing.OFF);
  }

  @AfterAll
  static void stop() {
    await(Future.join(sql.close(), pool.close()));
    await(vertx.close());
  }

  private static String line(String sku, String name) {
    return new JsonObject().put("sku", sku).put("name", name).put("category", "repo-it").put("priceCents", 5)
        .put("currency", "EUR").put("stock", 1).encode();
  }

  /** A receiving job with one stored batch of {@code lines}, numbered from 1. */
  private static UUID jobWithBatch(List<String> lines) {
    UUID job = UUID.randomUUID();
    await(repository.createJob(job, "member-" + job, OptionalLong.empty()));
    assertThat(await(repository.storeBatch(job, 0, 1, lines, lines.size(), List.of(), 100, 100))).isTrue();
    return job;
  }

  private static long count(String query, Object... params) {
    return await(sql.preparedQuery(query).execute(Tuple.from(params))).iterator().next().getLong(0);
  }

  @Test
  void staleClaim_cannotFinish_andWritesNothing_theLatestWritesOnce() {
    String sku = "FENCE-" + UUID.randomUUID().toString().substring(0, 8);
    UUID job = jobWithBatch(List.of(line(sku, "fenced")));
    BatchKey key = new BatchKey(job, 0);
    ClaimedBatch stale = await(repository.claim(key, 0, "worker-1")); // a lease that has already run out
    assertThat(stale.attempt()).isEqualTo(1);
    ClaimedBatch latest = await(repository.claim(key, 60, "worker-2")); // taken over
    assertThat(latest.attempt()).isEqualTo(2);
    assertThat(await(repository.claim(key, 60, "worker-3"))).as("held, not expired").isNull();

    ParsedBatch parsed = ParsedBatch.parse(stale.firstLine(), stale.lines(), VALIDATOR);
    assertThat(await(repository.write(stale, parsed))).isFalse();
    assertThat(count("SELECT count(*) FROM products WHERE sku = $1", sku)).isZero();
    assertThat(count("SELECT count(*) FROM product_events WHERE sku = $1", sku)).isZero();

    assertThat(await(repository.write(latest, parsed))).isTrue();
    assertThat(await(repository.write(latest, parsed))).as("done: not again").isFalse();
    assertThat(count("SELECT count(*) FROM products WHERE sku = $1 AND version = 1", sku)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM product_events WHERE sku = $1 AND type = 'product.imported'", sku))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM import_batches WHERE job_id = $1 AND state = 'done' AND lines IS NULL"
        + " AND processed_by = 'worker-2' AND rows_done = 1", job)).isEqualTo(1);
    assertThat(await(repository.claim(key, 60, "worker-3"))).as("done: never claimed again").isNull();
  }

  /**
   * A row only Postgres refuses makes the one-statement write fail whole; the row-by-row fallback then writes
   * the rest, and the refused row becomes its line's error, but only under the latest claim.
   */
  @Test
  void rowRefusedByTheDatabase_fallsBackRowByRow_onlyUnderTheLatestClaim() {
    String sku = "REFUSED-" + UUID.randomUUID().toString().substring(0, 8);
    UUID job = jobWithBatch(List.of(line(sku + "-1", "fine"), line(sku + "-2", "refused in repo-it"),
        "not json", line(sku + "-4", "fine too")));
    BatchKey key = new BatchKey(job, 0);
    ClaimedBatch stale = await(repository.claim(key, 0, "worker-1"));
    ClaimedBatch latest = await(repository.claim(key, 60, "worker-2"));
    await(sql.query("ALTER TABLE products ADD CONSTRAINT repo_it_refused CHECK (name <> 'refused in repo-it')")
        .execute());
    try {
      assertThat(await(repository.write(stale, ParsedBatch.parse(1, stale.lines(), VALIDATOR)))).isFalse();
      assertThat(count("SELECT count(*) FROM products WHERE sku LIKE $1", sku + "%")).isZero();

      assertThat(await(repository.write(latest, ParsedBatch.parse(1, latest.lines(), VALIDATOR)))).isTrue();
      assertThat(count("SELECT count(*) FROM products WHERE sku IN ($1, $2)", sku + "-1", sku + "-4")).isEqualTo(2);
      assertThat(count("SELECT count(*) FROM product_events WHERE sku LIKE $1", sku + "%")).isEqualTo(2);
      assertThat(count("SELECT count(*) FROM import_batches WHERE job_id = $1 AND state = 'done' AND rows_done = 2"
          + " AND rows_failed = 2 AND lines IS NULL", job)).isEqualTo(1);
      JsonObject status = await(repository.status(job, 0, 100));
      assertThat(status.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getLong("line")))
          .containsExactly(2L, 3L);
      assertThat(status.getJsonArray("errors").getJsonObject(0).getString("reason"))
          .startsWith("refused by the database: ").contains("repo_it_refused");
    } finally {
      await(sql.query("ALTER TABLE products DROP CONSTRAINT repo_it_refused").execute());
    }
  }

  @Test
  void claimDue_takesOnlyBatchesLeftBehind_eachByOneSweeper() {
    UUID expired = jobWithBatch(List.of(line("DUE-A-" + UUID.randomUUID().toString().substring(0, 8), "a")));
    UUID fresh = jobWithBatch(List.of(line("DUE-B-" + UUID.randomUUID().toString().substring(0, 8), "b")));
    UUID held = jobWithBatch(List.of(line("DUE-C-" + UUID.randomUUID().toString().substring(0, 8), "c")));
    UUID waiting = jobWithBatch(List.of(line("DUE-D-" + UUID.randomUUID().toString().substring(0, 8), "d")));
    await(repository.claim(new BatchKey(expired, 0), 0, "dead-worker"));
    await(repository.claim(new BatchKey(held, 0), 60, "live-worker"));
    // Pending for longer than the grace period: its message was lost.
    await(sql.preparedQuery("UPDATE import_batches SET queued_at = now() - interval '1 hour' WHERE job_id = $1")
        .execute(Tuple.of(waiting)));

    List<Future<List<ClaimedBatch>>> sweeps = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      sweeps.add(repository.claimDue(100, 30, "sweeper-" + i));
    }
    Set<UUID> claimed = new HashSet<>();
    int total = 0;
    for (Future<List<ClaimedBatch>> sweep : sweeps) {
      for (ClaimedBatch batch : await(sweep)) {
        claimed.add(batch.job());
        total++;
      }
    }
    assertThat(claimed).contains(expired, waiting).doesNotContain(fresh, held);
    assertThat(total).as("no batch claimed twice").isEqualTo(claimed.size());
  }

  @Test
  void abort_deletesUnfinishedBatches_keepsDoneOnes_andRefusesLaterStores() {
    String sku = "ABORT-" + UUID.randomUUID().toString().substring(0, 8);
    UUID job = jobWithBatch(List.of(line(sku, "written before the abort")));
    assertThat(await(repository.storeBatch(job, 1, 2, List.of(line(sku + "-2", "never")), 2, List.of(), 10, 110))).isTrue();
    ClaimedBatch first = await(repository.claim(new BatchKey(job, 0), 60, "worker"));
    assertThat(await(repository.write(first, ParsedBatch.parse(1, first.lines(), VALIDATOR)))).isTrue();
    ClaimedBatch second = await(repository.claim(new BatchKey(job, 1), 60, "worker"));

    assertThat(await(repository.abort(job, "test"))).isTrue();
    assertThat(await(repository.abort(job, "again"))).isFalse();

    assertThat(await(repository.write(second, ParsedBatch.parse(2, second.lines(), VALIDATOR)))).isFalse();
    assertThat(await(repository.storeBatch(job, 2, 3, List.of(line(sku + "-3", "late")), 3, List.of(), 10, 120))).isFalse();
    assertThat(await(repository.finishReceiving(job, 110))).isFalse();
    assertThat(count("SELECT count(*) FROM import_batches WHERE job_id = $1", job)).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM products WHERE sku LIKE $1", sku + "%")).isEqualTo(1);
    JsonObject status = await(repository.status(job, 0, 100));
    assertThat(status.getString("state")).isEqualTo("aborted");
    assertThat(status.getString("error")).isEqualTo("test");
    assertThat(status.getString("finishedAt")).isNotNull();
  }

  @Test
  void status_pagesErrorsInLineOrder() {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      lines.add("not json " + i);
    }
    UUID job = jobWithBatch(lines);
    ClaimedBatch batch = await(repository.claim(new BatchKey(job, 0), 60, "worker"));
    assertThat(await(repository.write(batch, ParsedBatch.parse(1, batch.lines(), VALIDATOR)))).isTrue();
    assertThat(await(repository.finishReceiving(job, 110))).isTrue();

    JsonObject first = await(repository.status(job, 0, 100));
    assertThat(first.getString("state")).isEqualTo("completed");
    assertThat(first.getLong("rowsFailed")).isEqualTo(250);
    assertThat(first.getJsonArray("errors")).hasSize(100);
    assertThat(first.getJsonArray("errors").getJsonObject(0).getLong("line")).isEqualTo(1);
    assertThat(first.getLong("nextErrorsAfter")).isEqualTo(100);
    JsonObject last = await(repository.status(job, 200, 100));
    assertThat(last.getJsonArray("errors")).hasSize(50);
    assertThat(last.getJsonArray("errors").getJsonObject(0).getLong("line")).isEqualTo(201);
    assertThat(last.getValue("nextErrorsAfter")).isNull();
  }
}
