package io.catalogsuite.catalog.product;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cache calls start no threads: neither reads nor the relay's invalidations. Hazelcast completes its futures on
 * {@code ForkJoinPool.commonPool()} only when the common pool's parallelism is above 1, and otherwise starts a
 * thread per callback; the tests run with a parallelism of 1 (the pom's {@code test.jvm.flags}), as a host or
 * container with 2 CPUs does.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // reads first: a relayed batch is invalidated again 2 s later
class CacheThreadsIT {
  private static final int READS = 1_000;
  /** Products changed behind the API's back, relayed in batches of {@link #RELAY_BATCH}. */
  private static final int CHANGED = 300;
  private static final int RELAY_BATCH = 10;
  private static CatalogCluster cluster;

  /** Without a near cache and admitting every miss: every read is a call to the shared map, this test's subject. */
  @BeforeAll
  static void start() {
    EventsConfig defaults = EventsConfig.defaults();
    cluster = CatalogCluster.start(1, new SharedCacheConfig(60, 0), new NearCacheConfig(0, 1, 60, 1000),
        new EventsConfig(defaults.pollMs(), RELAY_BATCH, defaults.heartbeatMs(), defaults.retentionHours(),
            defaults.maxStreams(), defaults.maxReplay()), ImportConfig.defaults());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void cachedReads_startNoThreads() {
    assertThat(ForkJoinPool.getCommonPoolParallelism()).as("the tests' common pool, as on 2 CPUs").isEqualTo(1);
    TestHttp http = cluster.http(0);
    HttpResponse<Buffer> created = http.post("/products", CatalogCluster.newProduct("threads"));
    String path = "/products/" + created.bodyAsJsonObject().getLong("id");
    assertThat(http.get(path).statusCode()).isEqualTo(200); // warm: the connection pool, the JIT, the cache
    readAll(http, path, 100);

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long before = threads.getTotalStartedThreadCount();
    readAll(http, path, READS);
    long started = threads.getTotalStartedThreadCount() - before;

    assertThat(started).as("threads started during %d cached reads", READS).isLessThan(10);
  }

  /**
   * The relay invalidates the cached products of each batch in the shared map with one multi-key call
   * ({@code IMap.submitToKeys}), and Hazelcast completes such a call through its default async executor before any
   * callback of ours is attached: that must not be a thread per call either. Batches of 10 here, so that 300
   * changed products are 30 calls (and 30 more for the second pass).
   */
  @Test
  @Order(2)
  void relayedInvalidations_startNoThreads() {
    String category = "relayed-" + UUID.randomUUID();
    TestHttp http = cluster.http(0);
    for (int i = 0; i < CHANGED; i++) {
      assertThat(http.post("/products", CatalogCluster.newProduct(category)).statusCode()).isEqualTo(201);
    } // each in the shared map now: a write puts its product there
    changeBehindTheApi(category); // warm: the relay's calls, the JIT
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long before = threads.getTotalStartedThreadCount();
    changeBehindTheApi(category);
    long started = threads.getTotalStartedThreadCount() - before;

    assertThat(started).as("threads started while %d changes were relayed", CHANGED).isLessThan(10);
  }

  /** A new version of every product of {@code category}, written in SQL with its events; awaits their relay. */
  private static void changeBehindTheApi(String category) {
    await(cluster.sql().preparedQuery("""
        WITH written AS (
          UPDATE products SET version = version + 1 WHERE category = $1 RETURNING id, sku, version)
        INSERT INTO product_events (type, product_id, sku, version)
        SELECT 'product.updated', id, sku, version FROM written""").execute(Tuple.of(category)));
    Waits.until("the events relayed", Duration.ofSeconds(30), () -> cluster.unpublishedEvents() == 0);
  }

  /** {@code count} reads, 32 at a time, each answered 200. */
  private static void readAll(TestHttp http, String path, int count) {
    for (int done = 0; done < count; done += 32) {
      List<Future<HttpResponse<Buffer>>> reads = new ArrayList<>();
      for (int i = 0; i < Math.min(32, count - done); i++) {
        reads.add(http.request(HttpMethod.GET, path).send());
      }
      reads.forEach(read -> assertThat(await(read).statusCode()).isEqualTo(200));
    }
  }
}
