package io.catalogsuite.catalog.product;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Expired {@code Idempotency-Key}s are deleted by the purge, in batches, measured by an injected clock; a key
 * purged is free again: its next use writes anew instead of replaying.
 */
class IdempotencyPurgeIT {
  private static final IdempotencyConfig KEEP_A_DAY = new IdempotencyConfig(Duration.ofHours(24), Duration.ofSeconds(1));
  private static CatalogCluster cluster;
  private static TestHttp http;
  private static SqlClient sql;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(1, 5);
    http = cluster.http(0);
    sql = cluster.sql();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
    cluster.close();
  }

  @Test
  void keysOlderThanTheirTime_arePurgedInBatches_theRestKept() {
    String scope = "purge-test-" + UUID.randomUUID();
    // 2,500 keys two days old and 10 an hour old, written as the service writes them.
    await(sql.preparedQuery("""
        INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
        SELECT $1, 'old-' || i, 'h', 201, '{}', now() - interval '2 days' FROM generate_series(1, 2500) AS i
        UNION ALL
        SELECT $1, 'new-' || i, 'h', 201, '{}', now() - interval '1 hour' FROM generate_series(1, 10) AS i""")
        .execute(Tuple.of(scope)));

    IdempotencyPurge purge = new IdempotencyPurge(sql, KEEP_A_DAY, Clock.systemUTC());
    assertThat(await(purge.purge())).as("deleted, every other test's fresh keys kept").isGreaterThanOrEqualTo(2500);
    assertThat(keys(scope, "old-%")).isZero();
    assertThat(keys(scope, "new-%")).isEqualTo(10);

    // A day later (the injected clock), the rest have had their time too.
    IdempotencyPurge aDayLater = new IdempotencyPurge(sql, KEEP_A_DAY,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(24)));
    await(aDayLater.purge());
    assertThat(keys(scope, "%")).isZero();
  }

  /** The purge as each instance runs it, on its timer: a purged key's next use is a new write. */
  @Test
  void aPurgedKey_writesAgain() {
    String key = "purge-" + UUID.randomUUID();
    JsonObject product = CatalogCluster.newProduct("purge-" + UUID.randomUUID());
    HttpResponse<Buffer> first = post(key, product);
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(post(key, product).getHeader("Idempotent-Replayed")).isEqualTo("true");

    String deployment = await(vertx.deployVerticle(new IdempotencyPurge(sql, KEEP_A_DAY,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(25)))));
    Waits.until("the key purged", Duration.ofSeconds(30), () -> keys("%", key) == 0);
    await(vertx.undeploy(deployment));

    // The sku is taken by the first write: the key's new use is a new attempt at the write, so a 409, not a replay.
    HttpResponse<Buffer> again = post(key, product);
    assertThat(again.getHeader("Idempotent-Replayed")).isNull();
    assertThat(again.statusCode()).isEqualTo(409);
  }

  private static HttpResponse<Buffer> post(String key, JsonObject body) {
    return await(http.request(HttpMethod.POST, "/products").putHeader("Idempotency-Key", key).sendJsonObject(body));
  }

  private static long keys(String scope, String key) {
    return await(sql.preparedQuery("SELECT count(*) FROM idempotency_keys WHERE scope LIKE $1 AND key LIKE $2")
        .execute(Tuple.of(scope, key))).iterator().next().getLong(0);
  }
}
