package io.catalogsuite.catalog.product;

import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.CatalogCluster;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.testing.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cache calls start no threads. Hazelcast completes its futures on {@code ForkJoinPool.commonPool()} only when
 * the common pool's parallelism is above 1, and otherwise starts a thread per callback; the tests run with a
 * parallelism of 1 (the pom's {@code test.jvm.flags}), as a host or container with 2 CPUs does.
 */
class CacheThreadsIT {
  private static final int READS = 1_000;
  private static CatalogCluster cluster;

  /** Without a near cache and admitting every miss: every read is a call to the shared map, this test's subject. */
  @BeforeAll
  static void start() {
    cluster = CatalogCluster.start(1, new SharedCacheConfig(60, 0), new NearCacheConfig(0, 1, 60, 1000),
        EventsConfig.defaults(), ImportConfig.defaults());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
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
