package io.catalogsuite.catalog.imports;

import io.catalogsuite.catalog.product.ProductInput;
import io.catalogsuite.common.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Import jobs, their batches and their errors in Postgres (tables in {@code V6__imports.sql}).
 *
 * <p>A batch moves {@code pending -> running -> done}. Claiming it adds 1 to its {@code attempt}, the fencing
 * token: the statement that writes its rows (or, in the fallback, the transaction) marks it done only while it
 * still holds the latest claim, and writes nothing otherwise. A batch is therefore written exactly once however many instances claimed it
 * (a worker that died, stalled past its lease, or lost its message), and the upserts by sku make a rewrite after
 * a crash harmless anyway.
 */
final class ImportRepository {
  /** The key of a batch, as the event bus carries it. */
  record BatchKey(UUID job, int seq) {
    JsonObject toJson() {
      return new JsonObject().put("job", job.toString()).put("seq", seq);
    }

    static BatchKey fromJson(JsonObject json) {
      return new BatchKey(UUID.fromString(json.getString("job")), json.getInteger("seq"));
    }
  }

  /** A batch this instance has claimed: {@code attempt} is its fencing token. */
  record ClaimedBatch(UUID job, int seq, int attempt, long firstLine, List<String> lines) {
  }

  private static final String CREATE_JOB = """
      INSERT INTO import_jobs (id, state, receiver, bytes_expected) VALUES ($1, 'receiving', $2, $3)""";

  /*
   * Stores batch $2 of job $1 (lines from $3: $4, $8 bytes of the upload) with the errors of the lines refused on
   * receipt ($6 lines, $7 reasons), and counts the job's lines and bytes stored so far ($5, $9). Only while the job is receiving: the update locks the job
   * row, so an abort (which updates it too) waits for this to commit, and then deletes the batch with the others.
   */
  private static final String STORE_BATCH = """
      WITH job AS (
        UPDATE import_jobs SET lines = $5, batches = $2::int + 1, bytes_stored = $9
         WHERE id = $1 AND state = 'receiving' RETURNING id
      ),
      batch AS (
        INSERT INTO import_batches (job_id, seq, first_line, lines, bytes)
        SELECT id, $2::int, $3::bigint, $4::text[], $8::bigint FROM job RETURNING job_id
      ),
      refused AS (
        INSERT INTO import_errors (job_id, line, reason)
        SELECT batch.job_id, e.line, e.reason FROM batch, unnest($6::bigint[], $7::text[]) AS e (line, reason)
      )
      SELECT count(*) FROM batch""";

  private static final String FINISH_RECEIVING = """
      UPDATE import_jobs SET state = 'processing', received_at = now(), bytes_stored = $2
       WHERE id = $1 AND state = 'receiving'""";

  private static final String ABORT_JOB = """
      UPDATE import_jobs SET state = 'aborted', aborted_at = now(), error = $2 WHERE id = $1 AND state = 'receiving'""";
  /** A separate statement after ABORT_JOB, so it sees the batches stored by statements ABORT_JOB waited for. */
  private static final String DELETE_UNFINISHED = "DELETE FROM import_batches WHERE job_id = $1 AND state <> 'done'";

  private static final String RECEIVING = "SELECT id, receiver FROM import_jobs WHERE state = 'receiving'";

  private static final String CLAIMED = " RETURNING b.job_id, b.seq, b.attempt, b.first_line, b.lines";

  /** Claims batch ($1, $2) for $3 seconds for instance $4, if it is pending or its lease has expired. */
  private static final String CLAIM = """
      UPDATE import_batches b
         SET state = 'running', attempt = b.attempt + 1, lease_until = now() + $3::int * interval '1 second',
             processed_by = $4
       WHERE b.job_id = $1 AND b.seq = $2
         AND (b.state = 'pending' OR (b.state = 'running' AND b.lease_until < now()))""" + CLAIMED;

  /**
   * The sweeper: claims up to $3 batches whose message was lost (pending for more than $1 seconds) or whose
   * worker is gone (running past its lease), for $1 seconds for instance $2. SKIP LOCKED: sweepers of several
   * instances never wait for each other nor take the same batch.
   */
  private static final String CLAIM_DUE = """
      UPDATE import_batches b
         SET state = 'running', attempt = b.attempt + 1, lease_until = now() + $1::int * interval '1 second',
             processed_by = $2
        FROM (SELECT job_id, seq FROM import_batches
               WHERE state <> 'done'
                 AND ((state = 'pending' AND queued_at < now() - $1::int * interval '1 second')
                      OR (state = 'running' AND lease_until < now()))
               ORDER BY queued_at
               LIMIT $3
               FOR UPDATE SKIP LOCKED) due
       WHERE b.job_id = due.job_id AND b.seq = due.seq""" + CLAIMED;

  /** Gives a claimed batch back (its write failed); the sweeper claims it again after the grace period. */
  private static final String RELEASE = """
      UPDATE import_batches SET state = 'pending', queued_at = now(), lease_until = NULL
       WHERE job_id = $1 AND seq = $2 AND attempt = $3 AND state = 'running'""";

  /** Locks the batch for the writing transaction, if claim $3 is still the latest. */
  private static final String FENCE = """
      SELECT 1 FROM import_batches WHERE job_id = $1 AND seq = $2 AND attempt = $3 AND state = 'running' FOR UPDATE""";

  /**
   * Upserts the rows of job $1 in the arrays from ${@code first} on (sku, name, description, category, price
   * cents, currency, stock, attributes, line; then the write's trace for the events), only {@code when} holds:
   * CTEs {@code written} (the products) and {@code events} (each written row's outbox event, as every product
   * write does, see ProductRepository). Within one import a row only replaces a product imported from an earlier
   * line; a new import (another $1) always replaces it. The rows arrive in sku order: every batch locks rows in the
   * same order.
   */
  private static String upsert(int first, String when) {
    return """
        written AS (
          INSERT INTO products AS p (sku, name, description, category, price_cents, currency, stock, attributes,
                                     import_job, import_line)
          SELECT r.sku, r.name, r.description, r.category, r.price_cents, r.currency, r.stock, r.attributes::jsonb,
                 $1::uuid, r.line
            FROM unnest($%d::text[], $%d::text[], $%d::text[], $%d::text[], $%d::bigint[], $%d::text[], $%d::int[],
                        $%d::text[], $%d::bigint[])
              AS r (sku, name, description, category, price_cents, currency, stock, attributes, line)
           WHERE %s
          ON CONFLICT (sku) DO UPDATE
             SET name = excluded.name, description = excluded.description, category = excluded.category,
                 price_cents = excluded.price_cents, currency = excluded.currency, stock = excluded.stock,
                 attributes = excluded.attributes, import_job = excluded.import_job,
                 import_line = excluded.import_line, version = p.version + 1, updated_at = now()
           WHERE p.import_job IS DISTINCT FROM excluded.import_job OR p.import_line < excluded.import_line
          RETURNING p.id, p.sku, p.version
        ),
        events AS (
          INSERT INTO product_events (type, product_id, sku, version, import_job, traceparent)
          SELECT 'product.imported', id, sku, version, $1::uuid, $%d::text FROM written
        )""".formatted(first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7,
        first + 8, when, first + 9);
  }

  /** Rows ($2 to $10) of job $1, in a transaction that holds the batch already (the fallback, row by row). */
  private static final String UPSERT = "WITH " + upsert(2, "true") + "\nSELECT count(*) FROM written";

  /**
   * Marks batch ($1, $2) done with its counts ($4 done, $5 failed) and errors ($6 lines, $7 reasons), and drops
   * its raw lines, only while claim $3 is still the latest: CTE {@code done}, the batch if so, and
   * {@code errors}. The update locks the batch row, so a claim or an abort waits for this transaction.
   */
  private static final String DONE = """
      done AS (
        UPDATE import_batches
           SET state = 'done', rows_done = $4, rows_failed = $5, finished_at = now(), lines = NULL, lease_until = NULL
         WHERE job_id = $1 AND seq = $2 AND attempt = $3 AND state = 'running'
        RETURNING job_id
      )""";
  private static final String ERRORS_OF_DONE = """
      errors AS (
        INSERT INTO import_errors (job_id, line, reason)
        SELECT done.job_id, e.line, e.reason FROM done, unnest($6::bigint[], $7::text[]) AS e (line, reason)
      )""";

  /** Marks the fenced batch done (the fallback's last statement); 1 if it was. */
  private static final String FINISH = "WITH " + DONE + ",\n" + ERRORS_OF_DONE + "\nSELECT count(*) FROM done";

  /**
   * Writes a whole batch in one statement, its own transaction: DONE, then (only if the batch was still this
   * claim's) its rows from $8 on with their events, and its errors. 1 if written, 0 (nothing written) if another
   * claim replaced this one. The batch row is locked first, as FENCE does, then the products in sku order.
   */
  private static final String WRITE = "WITH " + DONE + ",\n" + upsert(8, "EXISTS (SELECT FROM done)") + ",\n"
      + ERRORS_OF_DONE + "\nSELECT count(*) FROM done";

  private static final String STATUS = """
      SELECT j.id, j.state, j.created_at, j.lines, j.batches, j.received_at, j.aborted_at, j.error, now() AS now,
             j.bytes_expected, j.bytes_stored,
             count(b.seq) FILTER (WHERE b.state = 'done') AS done,
             coalesce(sum(b.bytes) FILTER (WHERE b.state = 'done'), 0) AS bytes_done,
             coalesce(sum(b.rows_done), 0) AS rows_done, coalesce(sum(b.rows_failed), 0) AS rows_failed,
             max(b.finished_at) AS last_finished,
             EXISTS (SELECT FROM product_events e WHERE e.import_job = $1 AND e.position IS NULL)
               OR EXISTS (SELECT FROM product_events e
                           WHERE e.position > (SELECT published FROM outbox_relay) AND e.import_job = $1)
               AS relaying
        FROM import_jobs j LEFT JOIN import_batches b ON b.job_id = j.id
       WHERE j.id = $1
       GROUP BY j.id""";

  private static final String ERRORS = """
      SELECT line, reason FROM import_errors WHERE job_id = $1 AND line > $2 ORDER BY line LIMIT $3""";

  private final SqlClient client;
  private final Pool transactions;
  private final Tracing tracing;

  /**
   * @param client       the pipelining client, for single statements
   * @param transactions connections for the writing transactions, one per batch written at once
   * @param tracing      where the events of a batch find the trace of its writing
   */
  ImportRepository(SqlClient client, Pool transactions, Tracing tracing) {
    this.client = client;
    this.transactions = transactions;
    this.tracing = tracing;
  }

  /** A job receiving its upload, of the size the client announced, if it did. */
  Future<Void> createJob(UUID job, String receiver, OptionalLong announced) {
    return client.preparedQuery(CREATE_JOB)
        .execute(Tuple.of(job, receiver, announced.isPresent() ? announced.getAsLong() : null)).mapEmpty();
  }

  /**
   * Stores a batch of a receiving job, with the errors of its lines refused on receipt; false when the job is no
   * longer receiving (it was aborted).
   */
  Future<Boolean> storeBatch(UUID job, int seq, long firstLine, List<String> lines, long jobLines,
      List<LineError> refused, long bytes, long jobBytes) {
    Tuple params = Tuple.of(job, seq, firstLine).addValue(lines.toArray(String[]::new)).addValue(jobLines)
        .addValue(refused.stream().map(LineError::line).toArray(Long[]::new))
        .addValue(refused.stream().map(LineError::reason).toArray(String[]::new))
        .addValue(bytes).addValue(jobBytes);
    return client.preparedQuery(STORE_BATCH).execute(params).map(rows -> rows.iterator().next().getLong(0) == 1);
  }

  /**
   * The upload is complete, {@code bytes} long: the job is processing. False when it is no longer receiving (it
   * was aborted).
   */
  Future<Boolean> finishReceiving(UUID job, long bytes) {
    return client.preparedQuery(FINISH_RECEIVING).execute(Tuple.of(job, bytes)).map(rows -> rows.rowCount() == 1);
  }

  /**
   * Aborts a receiving job: its unfinished batches are deleted, so they are never written (a worker writing one
   * now finds it gone and rolls back); batches already done stay written. False when it was not receiving.
   */
  Future<Boolean> abort(UUID job, String reason) {
    return transactions.withTransaction(conn -> conn.preparedQuery(ABORT_JOB).execute(Tuple.of(job, reason))
        .compose(aborted -> aborted.rowCount() == 0 ? Future.succeededFuture(false)
            : conn.preparedQuery(DELETE_UNFINISHED).execute(Tuple.of(job)).map(true)));
  }

  /** The jobs still receiving, and the cluster member receiving each. */
  Future<List<Receiving>> receiving() {
    return client.query(RECEIVING).execute().map(rows -> {
      List<Receiving> jobs = new ArrayList<>();
      rows.forEach(row -> jobs.add(new Receiving(row.getUUID("id"), row.getString("receiver"))));
      return jobs;
    });
  }

  record Receiving(UUID job, String receiver) {
  }

  /** Claims a batch for {@code leaseSeconds}; null when it is done, gone, or another worker holds it. */
  Future<ClaimedBatch> claim(BatchKey key, int leaseSeconds, String instance) {
    return client.preparedQuery(CLAIM).execute(Tuple.of(key.job(), key.seq(), leaseSeconds, instance))
        .map(rows -> rows.size() == 0 ? null : claimed(rows.iterator().next()));
  }

  /** Claims up to {@code limit} batches left behind (see CLAIM_DUE). */
  Future<List<ClaimedBatch>> claimDue(int limit, int leaseSeconds, String instance) {
    return client.preparedQuery(CLAIM_DUE).execute(Tuple.of(leaseSeconds, instance, limit)).map(rows -> {
      List<ClaimedBatch> batches = new ArrayList<>();
      rows.forEach(row -> batches.add(claimed(row)));
      return batches;
    });
  }

  private static ClaimedBatch claimed(Row row) {
    String[] lines = row.getArrayOfStrings("lines");
    return new ClaimedBatch(row.getUUID("job_id"), row.getInteger("seq"), row.getInteger("attempt"),
        row.getLong("first_line"), lines == null ? List.of() : Arrays.asList(lines));
  }

  Future<Void> release(ClaimedBatch batch) {
    return client.preparedQuery(RELEASE).execute(Tuple.of(batch.job(), batch.seq(), batch.attempt())).mapEmpty();
  }

  /**
   * Writes a claimed batch, all or nothing: its rows with their events, its errors, and the batch marked done.
   * False, with nothing written, when another claim has replaced this one.
   *
   * <p>One statement does it all (WRITE), a single round trip. When it fails on a data error (a row the
   * validator let through but Postgres refuses), nothing of it is left, and the batch is written again in a
   * transaction row by row, each row behind a savepoint, each refused row becoming an error of its line.
   */
  Future<Boolean> write(ClaimedBatch batch, ParsedBatch parsed) {
    Tuple params = done(batch, parsed.valid(), parsed.failed(), parsed.errors());
    return transactions.preparedQuery(WRITE).execute(addRows(params, parsed.rows()))
        .map(ImportRepository::one)
        .recover(failure -> isDataError(failure) ? writeRowByRow(batch, parsed) : Future.failedFuture(failure));
  }

  /**
   * The fallback of {@link #write}: in one transaction, the batch locked (FENCE), then each row behind a
   * savepoint, then the batch marked done. The transaction is begun and ended with plain SQL rather than
   * {@code Pool.withTransaction}: the client's transaction object rolls back at commit once any statement
   * failed, savepoint or not.
   */
  private Future<Boolean> writeRowByRow(ClaimedBatch batch, ParsedBatch parsed) {
    return transactions.withConnection(conn -> sql(conn, "BEGIN")
        .compose(v -> conn.preparedQuery(FENCE).execute(Tuple.of(batch.job(), batch.seq(), batch.attempt())))
        .compose(fence -> {
          if (fence.size() == 0) {
            return sql(conn, "ROLLBACK").map(false);
          }
          return oneByOne(conn, batch.job(), parsed.rows(), 0, new ArrayList<>())
              .compose(refused -> {
                List<LineError> errors = new ArrayList<>(parsed.errors());
                errors.addAll(refused);
                return conn.preparedQuery(FINISH).execute(
                    done(batch, parsed.valid() - refused.size(), parsed.failed() + refused.size(), errors));
              })
              .compose(v -> sql(conn, "COMMIT"))
              .map(true);
        })
        .recover(failure -> sql(conn, "ROLLBACK").transform(ignored -> Future.failedFuture(failure))));
  }

  private Future<List<LineError>> oneByOne(SqlConnection conn, UUID job, List<ParsedBatch.Row> rows, int next,
      List<LineError> refused) {
    if (next == rows.size()) {
      return Future.succeededFuture(refused);
    }
    ParsedBatch.Row row = rows.get(next);
    return sql(conn, "SAVEPOINT row")
        .compose(v -> conn.preparedQuery(UPSERT).execute(addRows(Tuple.of(job), List.of(row))))
        .compose(v -> sql(conn, "RELEASE SAVEPOINT row"))
        .recover(failure -> {
          if (!isDataError(failure)) {
            return Future.failedFuture(failure);
          }
          String reason = "refused by the database: " + ((PgException) failure).getErrorMessage();
          refused.add(new LineError(row.line(), reason));
          return sql(conn, "ROLLBACK TO SAVEPOINT row");
        })
        .compose(v -> oneByOne(conn, job, rows, next + 1, refused));
  }

  /** The parameters of DONE: $1 to $7. */
  private static Tuple done(ClaimedBatch batch, int rowsDone, int rowsFailed, List<LineError> errors) {
    return Tuple.of(batch.job(), batch.seq(), batch.attempt(), rowsDone, rowsFailed)
        .addValue(errors.stream().map(LineError::line).toArray(Long[]::new))
        .addValue(errors.stream().map(LineError::reason).toArray(String[]::new));
  }

  /** Adds the rows as the nine arrays {@link #upsert} reads and the trace, after the parameters already there. */
  private Tuple addRows(Tuple params, List<ParsedBatch.Row> rows) {
    int n = rows.size();
    String[] sku = new String[n];
    String[] name = new String[n];
    String[] description = new String[n];
    String[] category = new String[n];
    Long[] priceCents = new Long[n];
    String[] currency = new String[n];
    Integer[] stock = new Integer[n];
    String[] attributes = new String[n];
    Long[] line = new Long[n];
    for (int i = 0; i < n; i++) {
      ProductInput p = rows.get(i).product();
      sku[i] = p.sku();
      name[i] = p.name();
      description[i] = p.description();
      category[i] = p.category();
      priceCents[i] = p.priceCents();
      currency[i] = p.currency();
      stock[i] = p.stock();
      attributes[i] = p.attributes() == null ? null : p.attributes().encode();
      line[i] = rows.get(i).line();
    }
    return params.addValue(sku).addValue(name).addValue(description).addValue(category).addValue(priceCents)
        .addValue(currency).addValue(stock).addValue(attributes).addValue(line).addValue(tracing.traceparent());
  }

  private static boolean one(RowSet<Row> count) {
    return count.iterator().next().getLong(0) == 1;
  }

  /** Class 22 (data exception) and 23 (integrity constraint violation): the row's fault, not the batch's. */
  private static boolean isDataError(Throwable failure) {
    return failure instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"));
  }

  private static Future<Void> sql(SqlConnection conn, String statement) {
    return conn.query(statement).execute().mapEmpty();
  }

  /**
   * The job as {@code GET /imports/{id}} shows it, with up to {@code errorLimit} errors after line
   * {@code errorsAfter}; null when there is no such job.
   */
  Future<JsonObject> status(UUID job, long errorsAfter, int errorLimit) {
    Future<RowSet<Row>> status = client.preparedQuery(STATUS).execute(Tuple.of(job));
    // One error more than shown tells whether another page follows.
    Future<RowSet<Row>> errors = client.preparedQuery(ERRORS).execute(Tuple.of(job, errorsAfter, errorLimit + 1));
    return Future.all(status, errors).map(both -> {
      var found = status.result().iterator();
      if (!found.hasNext()) {
        return null;
      }
      List<LineError> page = new ArrayList<>();
      errors.result().forEach(row -> page.add(new LineError(row.getLong("line"), row.getString("reason"))));
      return toJson(found.next(), page, errorLimit);
    });
  }

  private static JsonObject toJson(Row row, List<LineError> errors, int errorLimit) {
    String stored = row.getString("state");
    int batches = row.getInteger("batches");
    long done = row.getLong("done");
    // Written is not yet completed: every change must also have been relayed, so that no cache still holds a
    // version the import replaced (a client that waits for completion, then reads, sees the import).
    boolean completed = stored.equals("processing") && done == batches && !row.getBoolean("relaying");
    String state = completed ? "completed" : stored;
    OffsetDateTime created = row.getOffsetDateTime("created_at");
    OffsetDateTime received = row.getOffsetDateTime("received_at");
    OffsetDateTime finished = completed ? latest(received, row.getOffsetDateTime("last_finished"))
        : row.getOffsetDateTime("aborted_at");
    long rowsDone = row.getLong("rows_done");
    long rowsFailed = row.getLong("rows_failed");
    Duration elapsed = Duration.between(created, finished != null ? finished : row.getOffsetDateTime("now"));
    long rate = elapsed.toMillis() <= 0 ? 0 : Math.round((rowsDone + rowsFailed) * 1000.0 / elapsed.toMillis());
    boolean more = errors.size() > errorLimit;
    List<LineError> page = more ? errors.subList(0, errorLimit) : errors;
    long bytesStored = row.getLong("bytes_stored");
    Long expected = row.getLong("bytes_expected");
    // Blank lines after the last batch belong to none, so a completed job's batches may hold a little less.
    ImportProgress progress = new ImportProgress(
        expected == null ? OptionalLong.empty() : OptionalLong.of(expected), bytesStored,
        completed ? bytesStored : Math.min(bytesStored, row.getLong("bytes_done")), received != null);
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("state", state)
        .put("linesReceived", row.getLong("lines"))
        .put("batches", new JsonObject().put("total", batches).put("done", done))
        .put("rowsDone", rowsDone)
        .put("rowsFailed", rowsFailed)
        .put("rowsPerSecond", rate)
        .put("progress", progress.toJson())
        .put("createdAt", instant(created))
        .put("receivedAt", instant(received))
        .put("finishedAt", instant(finished))
        .put("error", row.getString("error"))
        .put("errors", new JsonArray(page.stream().map(LineError::toJson).toList()))
        .put("nextErrorsAfter", more ? page.get(page.size() - 1).line() : null);
  }

  private static OffsetDateTime latest(OffsetDateTime a, OffsetDateTime b) {
    return b == null || (a != null && a.isAfter(b)) ? a : b;
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
