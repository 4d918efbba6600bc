package io.catalogsuite.catalog.imports;

import static io.catalogsuite.catalog.imports.ImportIT.accepted;
import static io.catalogsuite.catalog.imports.ImportIT.awaitCompleted;
import static io.catalogsuite.catalog.imports.ImportIT.product;
import static io.catalogsuite.catalog.imports.ImportIT.upload;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.events.OutboxRelay;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An import is completed only once it is visible: its rows written and every change relayed, so no instance's cache
 * holds a version it replaced. With the relay held back, an import whose rows are all written stays
 * {@code processing}; once the relay runs, it completes, and a read at once on either instance sees it.
 */
class ImportVisibilityIT {
  private static CatalogCluster cluster;
  private static TestHttp a;
  private static TestHttp b;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(2, 5, new ImportConfig(100, 1024 * 1024, 5, 200, 2));
    a = cluster.http(0);
    b = cluster.http(1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aReimport_isCompletedOnlyWhenEveryInstanceSeesIt() {
    String run = "VISIBLE-" + UUID.randomUUID().toString().substring(0, 8);
    Buffer file = Buffer.buffer();
    for (int i = 1; i <= 300; i++) {
      file.appendString(product(run, i).encode()).appendString("\n");
    }
    awaitCompleted(a, accepted(upload(a, file)).getString("id"));
    long id = await(cluster.sql().preparedQuery("SELECT id FROM products WHERE sku = $1").execute(Tuple.of(run + "-7")))
        .iterator().next().getLong(0);
    for (TestHttp http : List.of(a, b)) { // cached on both instances, at version 1
      assertThat(http.get("/products/" + id).bodyAsJsonObject().getInteger("version")).isEqualTo(1);
      assertThat(http.get("/products/" + id).getHeader("ETag")).isEqualTo("\"1\"");
    }

    PgConnection holder = cluster.connection();
    String again;
    try {
      takeTheRelayLock(holder);
      again = accepted(upload(b, file)).getString("id");
      a.awaitResponse("/imports/" + again, r -> r.bodyAsJsonObject().getJsonObject("batches").getInteger("done")
          == r.bodyAsJsonObject().getJsonObject("batches").getInteger("total"), Duration.ofSeconds(60));
      assertThat(a.get("/imports/" + again).bodyAsJsonObject().getString("state"))
          .as("every row written, no change relayed yet").isEqualTo("processing");
    } finally {
      await(holder.close()); // frees the lock: an instance becomes the relay
    }
    assertThat(awaitCompleted(a, again).getString("state")).isEqualTo("completed");
    for (TestHttp http : List.of(a, b)) {
      assertThat(http.get("/products/" + id).bodyAsJsonObject().getInteger("version")).as("read at once")
          .isEqualTo(2);
    }
  }

  /** Ends the relay's Postgres session and holds its lock instead, so that no instance can relay. */
  private static void takeTheRelayLock(PgConnection holder) {
    Waits.until("the relay lock in the test's hands", Duration.ofSeconds(30), () -> {
      // A bigint advisory key shows in pg_locks as two halves: classid (high) and objid (low).
      await(cluster.sql().preparedQuery("""
          SELECT pg_terminate_backend(pid) FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND objsubid = 1
             AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND pid <> $3""")
          .execute(Tuple.of(OutboxRelay.LOCK_KEY >>> 32, OutboxRelay.LOCK_KEY & 0xffff_ffffL, holder.processId())));
      return await(holder.query("SELECT pg_try_advisory_lock(" + OutboxRelay.LOCK_KEY + ")").execute())
          .iterator().next().getBoolean(0);
    });
  }
}
