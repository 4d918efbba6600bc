package io.catalogsuite.catalog.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outbox table {@code product_events} (migration V5): numbering events for publication, reading what is
 * to be (re)published, replaying from a position, and deleting old events.
 */
final class EventLog {
  private static final String COLUMNS = "position, type, product_id, sku, version, created_at";
  /** What the relay reads: the events, and the trace of the write that made each (migration V9). */
  private static final String RELAYED = COLUMNS + ", traceparent";

  /**
   * Numbers up to $1 events not numbered yet, oldest first, and returns them. Only the relay runs it (it holds the
   * relay lock), so positions grow in the order events are published.
   *
   * <p>The update finds its rows by primary key only. With {@code AND e.position IS NULL} there as well, the
   * planner could also reach them through the partial index of unnumbered events, and when the table had grown
   * faster than its statistics (an import) it did: a nested loop over every unnumbered event for each of the
   * batch's, seconds per round instead of milliseconds.
   */
  static final String NUMBER = """
      WITH next AS (
        SELECT id FROM product_events WHERE position IS NULL ORDER BY id LIMIT $1
      ),
      numbered AS (
        SELECT id, nextval('product_event_positions') AS position FROM (SELECT id FROM next ORDER BY id) ordered
      )
      UPDATE product_events e SET position = numbered.position FROM numbered WHERE e.id = numbered.id
      RETURNING e.""" + RELAYED.replace(", ", ", e.");

  /** Numbered events that have not reached the event bus yet, in order. */
  private static final String UNPUBLISHED = "SELECT " + RELAYED + """
       FROM product_events
      WHERE position > (SELECT published FROM outbox_relay)
      ORDER BY position LIMIT $1""";

  private static final String MARK_PUBLISHED = "UPDATE outbox_relay SET published = GREATEST(published, $1)";

  /**
   * Numbered events after a position. Numbering is one statement at a time by one relay, so what is visible is
   * always a whole prefix of the positions: a replay that reads up to some position has missed none before it.
   */
  private static final String SINCE =
      "SELECT " + COLUMNS + " FROM product_events WHERE position > $1 ORDER BY position LIMIT $2";

  /** Published events older than the retention, a bounded number per call (no long lock, no huge transaction). */
  private static final String PRUNE = """
      DELETE FROM product_events WHERE id IN (
        SELECT id FROM product_events
         WHERE created_at < now() - make_interval(hours => $1)
           AND position <= (SELECT published FROM outbox_relay)
         LIMIT $2)""";

  private EventLog() {
  }

  /**
   * Events for the relay to deliver, in order, and the traces of the writes that made them (each once; an import
   * batch's events share one).
   */
  record Batch(List<ProductEvent> events, Set<String> origins) {
    boolean isEmpty() {
      return events.isEmpty();
    }

    private static Batch of(RowSet<Row> rows) {
      List<Row> ordered = new ArrayList<>(rows.size());
      rows.forEach(ordered::add);
      ordered.sort(Comparator.comparingLong(row -> row.getLong("position"))); // RETURNING keeps no order
      List<ProductEvent> events = new ArrayList<>(ordered.size());
      Set<String> origins = new LinkedHashSet<>();
      for (Row row : ordered) {
        events.add(ProductEvent.of(row));
        String origin = row.getString("traceparent");
        if (origin != null) {
          origins.add(origin);
        }
      }
      return new Batch(events, origins);
    }
  }

  /** Numbers up to {@code limit} new events (see {@link #NUMBER}); those events. */
  static Future<Batch> number(SqlClient on, int limit) {
    return on.preparedQuery(NUMBER).execute(Tuple.of(limit)).map(Batch::of);
  }

  static Future<Batch> unpublished(SqlClient on, int limit) {
    return on.preparedQuery(UNPUBLISHED).execute(Tuple.of(limit)).map(Batch::of);
  }

  static Future<Void> markPublished(SqlClient on, long position) {
    return on.preparedQuery(MARK_PUBLISHED).execute(Tuple.of(position)).mapEmpty();
  }

  /** Up to {@code limit} numbered events after {@code after}, in order. */
  static Future<List<ProductEvent>> since(SqlClient on, long after, int limit) {
    return on.preparedQuery(SINCE).execute(Tuple.of(after, limit)).map(EventLog::events);
  }

  /** Deletes up to {@code limit} published events older than {@code retentionHours}; how many it deleted. */
  static Future<Integer> prune(SqlClient on, int retentionHours, int limit) {
    return on.preparedQuery(PRUNE).execute(Tuple.of(retentionHours, limit)).map(RowSet::rowCount);
  }

  private static List<ProductEvent> events(RowSet<Row> rows) {
    List<ProductEvent> events = new ArrayList<>(rows.size());
    rows.forEach(row -> events.add(ProductEvent.of(row)));
    return events;
  }
}
