package io.catalogsuite.catalog.events;

import static io.catalogsuite.catalog.CatalogCluster.newProduct;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.EventStreamClient.Event;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Change events end to end: the outbox written with each change, the relay (one at a time, taking over from a
 * lost one), event-driven cache invalidation, and {@code GET /events} with {@code Last-Event-ID}; two catalog
 * members on a real Postgres and a real cluster.
 */
class EventsIT {
  /** Per instance; no other test here has more than one stream open on an instance at once. */
  private static final int MAX_STREAMS = 3;
  private static CatalogCluster cluster;
  private static TestHttp a;
  private static TestHttp b;
  private static SqlClient sql;

  @BeforeAll
  static void start() {
    EventsConfig defaults = EventsConfig.defaults();
    cluster = CatalogCluster.start(2, 60, new EventsConfig(defaults.pollMs(), defaults.batchSize(),
        defaults.heartbeatMs(), defaults.retentionHours(), MAX_STREAMS, 1_000_000), // replays from 0 are whole
        ImportConfig.defaults());
    a = cluster.http(0);
    b = cluster.http(1);
    sql = cluster.sql();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void everyChange_isStreamed_inOrder_toEveryInstance() {
    try (EventStreamClient onA = stream(0, Map.of()); EventStreamClient onB = stream(1, Map.of())) {
      assertThat(onA.header("Content-Type")).startsWith("text/event-stream");
      long id = create(b);
      assertThat(b.put("/products/" + id, newProduct("events").put("name", "Renamed")).statusCode()).isEqualTo(200);
      assertThat(a.post("/products/" + id + "/reservations", new JsonObject().put("quantity", 2)).statusCode())
          .isEqualTo(201);
      assertThat(b.delete("/products/" + id).statusCode()).isEqualTo(204);

      for (EventStreamClient client : List.of(onA, onB)) {
        List<Event> events = ofProducts(client, List.of(id), 4);
        assertThat(events).extracting(Event::type)
            .containsExactly("product.created", "product.updated", "product.reserved", "product.deleted");
        assertThat(events).extracting(event -> new JsonObject(event.data()).getInteger("version"))
            .containsExactly(1, 2, 3, 3);
        assertThat(events).extracting(event -> Long.parseLong(event.id())).isSorted().doesNotHaveDuplicates();
        assertThat(events).allSatisfy(event ->
            assertThat(new JsonObject(event.data()).getLong("position")).isEqualTo(Long.parseLong(event.id())));
      }
    }
  }

  @Test
  void lastEventId_resumesAfterIt_withoutGapsOrDuplicates() {
    List<Long> ids = List.of(create(a), create(b), create(a));
    List<Event> seen;
    try (EventStreamClient first = stream(0, Map.of("Last-Event-ID", "0"))) {
      seen = ofProducts(first, ids, 3);
    }
    String resumeAfter = seen.get(0).id(); // the client saw only the first before it lost its connection

    try (EventStreamClient resumed = stream(1, Map.of("Last-Event-ID", resumeAfter))) {
      long later = create(b); // while the replay runs or after it: either way once, in order
      List<Event> events = ofProducts(resumed, List.of(ids.get(1), ids.get(2), later), 3);
      assertThat(events).extracting(Event::id).startsWith(seen.get(1).id(), seen.get(2).id());
      assertThat(events).extracting(event -> Long.parseLong(event.id())).isSorted().doesNotHaveDuplicates();
      assertThat(events).allSatisfy(event -> assertThat(Long.parseLong(event.id()))
          .isGreaterThan(Long.parseLong(resumeAfter)));
    }
  }

  /** A burst (as an import makes) reaches a live and a resumed stream whole, as fast as each client reads. */
  @Test
  void burstOfEvents_reachesLiveAndResumedStreams_whole() {
    long before = create(a);
    String from;
    try (EventStreamClient first = stream(0, Map.of("Last-Event-ID", "0"))) {
      from = ofProducts(first, List.of(before), 1).get(0).id();
    }
    int burst = 3000;
    try (EventStreamClient live = stream(1, Map.of())) {
      await(sql.preparedQuery("""
          INSERT INTO product_events (type, product_id, sku, version)
          SELECT 'product.imported', -g, 'BURST-' || g, 1 FROM generate_series(1, $1) g""").execute(Tuple.of(burst)));
      assertThat(burstIn(live, burst)).isEqualTo(burst);
    }
    try (EventStreamClient resumed = stream(0, Map.of("Last-Event-ID", from))) {
      assertThat(burstIn(resumed, burst)).isEqualTo(burst);
    }
  }

  /** How many distinct burst events (negative product ids) arrive, in order, until {@code count} did. */
  private static int burstIn(EventStreamClient client, int count) {
    long last = 0;
    int seen = 0;
    while (seen < count) {
      Event event = client.take(1).get(0);
      assertThat(Long.parseLong(event.id())).isGreaterThan(last);
      last = Long.parseLong(event.id());
      if (new JsonObject(event.data()).getLong("productId") < 0) {
        seen++;
      }
    }
    return seen;
  }

  @Test
  void lastEventId_asQueryParameter_whenHeadersCannotBeSet() {
    long id = create(a);
    long position = await(sql.preparedQuery("SELECT position FROM product_events WHERE product_id = $1")
        .execute(Tuple.of(id))).iterator().next().getLong(0);
    try (EventStreamClient client = EventStreamClient.open(url(0, "/events?lastEventId=" + (position - 1)),
        Map.of())) {
      assertThat(client.take(1).get(0).id()).isEqualTo(Long.toString(position));
    }
  }

  @Test
  void streamsBeyondTheLimit_get503_untilOneCloses() {
    Waits.until("no stream open", Duration.ofSeconds(10), () -> openStreams() == 0);
    List<EventStreamClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_STREAMS; i++) {
        open.add(stream(0, Map.of()));
      }
      assertThat(openStreams()).isEqualTo(MAX_STREAMS);
      try (EventStreamClient refused = stream(0, Map.of())) {
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
      }
      open.remove(0).close();
      Waits.until("the closed stream gone", Duration.ofSeconds(10), () -> openStreams() == MAX_STREAMS - 1);
      open.add(stream(0, Map.of()));
      assertThat(open.get(open.size() - 1).status()).isEqualTo(200);
    } finally {
      open.forEach(EventStreamClient::close);
    }
  }

  private static double openStreams() {
    return PrometheusText.sample(a.get("/metrics").bodyAsString(), "events_streams_open");
  }

  @Test
  void badLastEventId_isA400() {
    for (String bad : List.of("-1", "abc", "1.5", "99999999999999999999", "1 OR 1=1")) {
      try (EventStreamClient client = stream(0, Map.of("Last-Event-ID", bad))) {
        assertThat(client.status()).as(bad).isEqualTo(400);
        assertThat(client.header("Content-Type")).isEqualTo("application/problem+json");
      }
    }
  }

  /** The relay is woken when events commit, and only then: a refused reservation writes no event. */
  @Test
  void notification_onlyWhenEventsWereWritten() {
    PgConnection listener = cluster.connection();
    try {
      List<String> notified = new CopyOnWriteArrayList<>();
      listener.notificationHandler(notification -> notified.add(notification.getChannel()));
      await(listener.query("LISTEN product_events").execute());
      long id = create(a);
      Waits.until("a notification for the create", Duration.ofSeconds(10), () -> notified.size() == 1);

      assertThat(a.post("/products/" + id + "/reservations", new JsonObject().put("quantity", 1000))
          .statusCode()).isEqualTo(409);
      create(b); // notifications arrive in commit order: one for the refusal would come before this one's
      Waits.until("a notification for the second create", Duration.ofSeconds(10), () -> notified.size() >= 2);
      assertThat(notified).containsExactly("product_events", "product_events");
    } finally {
      await(listener.close());
    }
  }

  /** A change made behind the API's back (as the import does) reaches every instance's reads. */
  @Test
  void changeWrittenWithItsEvent_invalidatesTheCachedProduct() {
    long id = create(a);
    assertThat(b.get("/products/" + id).bodyAsJsonObject().getString("name")).isEqualTo("Desk lamp"); // cached
    await(sql.preparedQuery("""
        WITH written AS (
          UPDATE products SET name = 'Changed elsewhere', version = version + 1 WHERE id = $1
          RETURNING id, sku, version)
        INSERT INTO product_events (type, product_id, sku, version)
        SELECT 'product.updated', id, sku, version FROM written""").execute(Tuple.of(id)));

    for (TestHttp http : List.of(a, b)) {
      HttpResponse<Buffer> read = http.awaitResponse("/products/" + id,
          response -> response.bodyAsJsonObject().getString("name").equals("Changed elsewhere"), Duration.ofSeconds(10));
      assertThat(read.getHeader("ETag")).isEqualTo("\"2\"");
    }

    await(sql.preparedQuery("""
        WITH deleted AS (DELETE FROM products WHERE id = $1 RETURNING id, sku, version)
        INSERT INTO product_events (type, product_id, sku, version)
        SELECT 'product.deleted', id, sku, version FROM deleted""").execute(Tuple.of(id)));
    for (TestHttp http : List.of(a, b)) {
      assertThat(http.awaitResponse("/products/" + id, response -> response.statusCode() == 404,
          Duration.ofSeconds(10)).statusCode()).isEqualTo(404);
    }
  }

  /** The relay's Postgres session ends (its instance died, say): another session takes the lock; none is lost. */
  @Test
  void lostRelay_isReplaced_andNoEventIsLost() {
    try (EventStreamClient client = stream(1, Map.of())) {
      long before = create(a);
      ofProducts(client, List.of(before), 1);

      // A bigint advisory key shows in pg_locks as two halves: classid (high) and objid (low).
      int terminated = await(sql.preparedQuery("""
          SELECT pg_terminate_backend(pid) FROM pg_locks
           WHERE locktype = 'advisory' AND granted AND objsubid = 1
             AND classid = $1::bigint::oid AND objid = $2::bigint::oid""")
          .execute(Tuple.of(OutboxRelay.LOCK_KEY >>> 32, OutboxRelay.LOCK_KEY & 0xffff_ffffL))).rowCount();
      assertThat(terminated).as("the relay's session").isEqualTo(1);
      List<Long> during = List.of(create(a), create(b), create(a));

      assertThat(ofProducts(client, during, 3)).extracting(Event::type).containsOnly("product.created");
      Waits.until("every event published", Duration.ofSeconds(10), () -> cluster.unpublishedEvents() == 0);
    }
  }

  /**
   * Numbering must find its rows by primary key even when the statistics are stale (the table grew by an import
   * since it was last analysed): through the partial index of unnumbered events it took seconds per round.
   */
  @Test
  void numbering_findsItsRowsByPrimaryKey_withStaleStatistics() {
    RowSet<Row> results = await(sql.query("BEGIN; ANALYZE product_events;"
        + " INSERT INTO product_events (type, product_id, sku, version)"
        + " SELECT 'product.imported', -g, 'PLAN-' || g, 1 FROM generate_series(1, 50000) g;"
        + " EXPLAIN " + EventLog.NUMBER.replace("$1", "500") + "; ROLLBACK").execute());
    StringBuilder plan = new StringBuilder();
    for (RowSet<Row> result = results; result != null; result = result.next()) {
      if (result.columnsNames() != null && result.columnsNames().contains("QUERY PLAN")) {
        result.forEach(row -> plan.append(row.getString(0)).append('\n'));
      }
    }
    assertThat(plan.toString()).contains("Index Scan using product_events_pkey on product_events e");
  }

  @Test
  void prune_deletesOnlyOldPublishedEvents() {
    long id = create(a);
    Waits.until("the event published", Duration.ofSeconds(10), () -> cluster.unpublishedEvents() == 0);
    await(sql.preparedQuery("UPDATE product_events SET created_at = now() - interval '100 hours' WHERE product_id = $1")
        .execute(Tuple.of(id)));
    long recent = create(b);

    // The relay prunes too (a relay that took over, in a test before, prunes on its first round): one of the two
    // deletes it.
    assertThat(await(EventLog.prune(sql, 72, 1000))).isBetween(0, 1);
    assertThat(eventCount(id)).isZero();
    assertThat(eventCount(recent)).isEqualTo(1);
  }

  private static long eventCount(long productId) {
    return await(sql.preparedQuery("SELECT count(*) FROM product_events WHERE product_id = $1")
        .execute(Tuple.of(productId))).iterator().next().getLong(0);
  }

  private static long create(TestHttp http) {
    HttpResponse<Buffer> created = http.post("/products", newProduct("events-" + UUID.randomUUID()));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  /** The next {@code count} events about {@code ids}, skipping others (the tests of this class share a cluster). */
  private static List<Event> ofProducts(EventStreamClient client, List<Long> ids, int count) {
    List<Event> found = new ArrayList<>();
    while (found.size() < count) {
      Event event = client.take(1).get(0);
      if (ids.contains(new JsonObject(event.data()).getLong("productId"))) {
        found.add(event);
      }
    }
    return found;
  }

  private static EventStreamClient stream(int instance, Map<String, String> headers) {
    return EventStreamClient.open(url(instance, "/events"), headers);
  }

  private static String url(int instance, String path) {
    return "http://127.0.0.1:" + cluster.catalog(instance).port() + path;
  }
}
