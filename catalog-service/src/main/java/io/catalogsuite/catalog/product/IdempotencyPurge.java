package io.catalogsuite.catalog.product;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the {@code Idempotency-Key}s kept longer than {@link IdempotencyConfig#keep()}, every
 * {@link IdempotencyConfig#purgeEvery()}, a thousand at a time (oldest first, by the {@code created_at} index),
 * so a backlog never becomes one long statement. Every instance runs one; they skip each other's rows.
 */
public final class IdempotencyPurge extends VerticleBase {
  static final int BATCH = 1_000;
  private static final String PURGE = """
      DELETE FROM idempotency_keys WHERE (scope, key) IN (
        SELECT scope, key FROM idempotency_keys WHERE created_at < $1
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";
  private static final Logger log = LoggerFactory.getLogger(IdempotencyPurge.class);

  private final SqlClient client;
  private final IdempotencyConfig config;
  private final Clock clock;
  private boolean purging;

  /** @param clock tells the time the keys' age is measured at (the system's, or a test's) */
  public IdempotencyPurge(SqlClient client, IdempotencyConfig config, Clock clock) {
    this.client = client;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(config.purgeEvery().toMillis(), id -> {
      if (!purging) { // one purge at a time: a slow one is not overtaken by the next
        purging = true;
        purge().onComplete(done -> purging = false);
      }
    });
    return Future.succeededFuture();
  }

  /** Deletes every key older than the configured age; the number deleted. */
  Future<Long> purge() {
    OffsetDateTime cutoff = OffsetDateTime.now(clock).minus(config.keep()).withOffsetSameInstant(ZoneOffset.UTC);
    return purgeFrom(cutoff, 0)
        .onSuccess(deleted -> {
          if (deleted > 0) {
            log.info("Purged {} idempotency keys older than {}", deleted, config.keep());
          }
        })
        .onFailure(e -> log.warn("Idempotency key purge failed (tried again in {}): {}", config.purgeEvery(),
            e.toString()));
  }

  private Future<Long> purgeFrom(OffsetDateTime cutoff, long sofar) {
    return client.preparedQuery(PURGE).execute(Tuple.of(cutoff, BATCH)).compose(rows -> rows.rowCount() < BATCH
        ? Future.succeededFuture(sofar + rows.rowCount())
        : purgeFrom(cutoff, sofar + rows.rowCount()));
  }
}
