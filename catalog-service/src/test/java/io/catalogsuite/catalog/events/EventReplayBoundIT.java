package io.catalogsuite.catalog.events;

import static io.catalogsuite.catalog.CatalogCluster.newProduct;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.EventStreamClient.Event;
import io.catalogsuite.testing.Waits;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client resuming from far back ({@code Last-Event-ID: 0} after 72 h of events, say) costs one bounded replay:
 * {@code EVENTS_MAX_REPLAY} events, a {@code gap} event, then the live events.
 */
class EventReplayBoundIT {
  private static final int MAX_REPLAY = 1_000;
  private static CatalogCluster cluster;

  @BeforeAll
  static void start() {
    EventsConfig defaults = EventsConfig.defaults();
    cluster = CatalogCluster.start(1, 60, new EventsConfig(defaults.pollMs(), defaults.batchSize(),
        defaults.heartbeatMs(), defaults.retentionHours(), defaults.maxStreams(), MAX_REPLAY),
        ImportConfig.defaults());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void resumeFromFarBack_replaysTheBound_thenAGap_thenLive() {
    long before = await(cluster.sql().query("SELECT coalesce(max(position), 0) FROM product_events").execute())
        .iterator().next().getLong(0);
    await(cluster.sql().preparedQuery("""
        INSERT INTO product_events (type, product_id, sku, version)
        SELECT 'product.imported', -g, 'FAR-' || g, 1 FROM generate_series(1, $1) g""").execute(Tuple.of(3_000)));
    Waits.until("every event relayed", Duration.ofSeconds(30), () -> cluster.unpublishedEvents() == 0);

    try (EventStreamClient stream = EventStreamClient.open(
        "http://127.0.0.1:" + cluster.catalog(0).port() + "/events", Map.of("Last-Event-ID", Long.toString(before)))) {
      List<Event> replayed = stream.take(MAX_REPLAY);
      assertThat(replayed).extracting(event -> Long.parseLong(event.id()))
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(before + 1, before + MAX_REPLAY)
              .boxed().toList());
      Event gap = stream.take(1).get(0);
      assertThat(gap.type()).isEqualTo("gap");
      assertThat(gap.id()).isNull();
      assertThat(new JsonObject(gap.data()).getLong("after")).isEqualTo(before + MAX_REPLAY);

      long id = cluster.http(0).post("/products", newProduct("far-" + UUID.randomUUID())).bodyAsJsonObject()
          .getLong("id");
      Event live = stream.take(1).get(0);
      assertThat(new JsonObject(live.data()).getLong("productId")).isEqualTo(id);
      assertThat(Long.parseLong(live.id())).isGreaterThan(before + 3_000);
    }
  }
}
