package io.catalogsuite.catalog.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations, applied at start through the reactive client.
 *
 * <p>Instances that start together must not race: each takes a session advisory lock first, so one applies
 * the pending migrations while the others wait, then find nothing left to do. Each migration runs in its own
 * transaction together with its row in {@code schema_migrations}, so a failed one leaves no trace.
 */
public final class Migrations {
  /** The migrations, in order. Add a file under {@code db/migration/} and its name here. */
  static final List<String> FILES = List.of("V1__products.sql", "V2__reservations.sql", "V3__idempotency_keys.sql",
      "V4__search.sql", "V5__product_events.sql", "V6__imports.sql", "V7__import_events.sql", "V8__import_progress.sql",
      "V9__event_traces.sql");
  /** Any constant works; it only has to be the same for every instance. */
  private static final long LOCK_KEY = 0x6361_7461_6c6f_67L; // "catalog"
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Applies what is pending; completes once the schema is current. */
  public static Future<Void> apply(Vertx vertx, PgConnectOptions database) {
    return vertx.executeBlocking(Migrations::load)
        .compose(migrations -> PgConnection.connect(vertx, database)
            // NOTICEs such as "relation already exists, skipping" are expected here and only clutter the log.
            .compose(conn -> conn.query("SET client_min_messages = warning").execute()
                .compose(v -> conn.query("SELECT pg_advisory_lock(" + LOCK_KEY + ")").execute())
                .compose(v -> applyPending(conn, migrations))
                .eventually(conn::close)));
  }

  private static Future<Void> applyPending(PgConnection conn, List<Migration> migrations) {
    return conn.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
              version    integer PRIMARY KEY,
              name       text NOT NULL,
              applied_at timestamptz NOT NULL DEFAULT now())""").execute()
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          Future<Void> chain = Future.succeededFuture();
          for (Migration migration : migrations) {
            if (!applied.contains(migration.version())) {
              chain = chain.compose(v -> applyOne(conn, migration));
            }
          }
          return chain;
        });
  }

  private static Future<Void> applyOne(PgConnection conn, Migration migration) {
    log.info("Applying migration {}", migration.name());
    return conn.begin().compose(tx -> conn.query(migration.sql()).execute()
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)")
            .execute(Tuple.of(migration.version(), migration.name())))
        .compose(v -> tx.commit())
        .recover(failure -> tx.rollback().transform(ignored -> Future.failedFuture(failure))));
  }

  private static List<Migration> load() {
    List<Migration> migrations = new ArrayList<>();
    for (String file : FILES) {
      try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + file)) {
        if (in == null) {
          throw new IllegalStateException("missing migration resource " + file);
        }
        int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
        migrations.add(new Migration(version, file, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return migrations;
  }

  private record Migration(int version, String name, String sql) {
  }
}
