package io.catalogsuite.gateway;

import static io.catalogsuite.gateway.TestGateway.awaitInstances;
import static io.catalogsuite.gateway.TestGateway.publish;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event streams hold an upstream connection each for as long as they are open. They go through a pool of their
 * own, so that ordinary requests pass however many streams are held, and each client holds at most its share.
 */
class EventStreamPoolIT {
  private static final String KEY_A = "pool-a-" + UUID.randomUUID();
  private static final String KEY_B = "pool-b-" + UUID.randomUUID();
  /**
   * More than the ordinary pool's connections per instance on the test gateway's one event loop (TestNodes
   * configures one HTTP server instance), and no more: every stream holds four sockets in this JVM, and a count
   * that grew with the machine's processors once ran it out of file descriptors in CI, where the plain request
   * below then waited for a connection the gateway could not accept.
   */
  private static final int PER_CLIENT = RunningGateway.UPSTREAM_CONNECTIONS_PER_INSTANCE + 10;
  private static final int PER_INSTANCE = PER_CLIENT + 5;

  private static Vertx stubs;
  private static ServiceNode cache;
  private static ServiceNode gateway;
  private static HttpClient client;
  /**
   * Where every stream is opened, so that all requests and their connections share one context and the callback
   * that sets a response's handlers is not handed over to another one after the head arrived. Opened from the
   * test's thread, a short refusal once ended before its handlers were set (IllegalStateException in CI).
   */
  private static Context opener;
  /** The streams the stand-in instance holds open, each silent after its first event. */
  private static final Queue<HttpServerResponse> held = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    stubs = Vertx.vertx();
    String cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    GatewayConfig config = GatewayConfig.fromEnv(Map.of(
        "GATEWAY_ROUTES", "/api/held=held-service",
        "GATEWAY_EVENT_STREAM_PATHS", "/api/held/events",
        "GATEWAY_EVENT_STREAMS_PER_INSTANCE", Integer.toString(PER_INSTANCE),
        "GATEWAY_EVENT_STREAMS_PER_CLIENT", Integer.toString(PER_CLIENT)));
    gateway = await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, "gw-pool"),
        new GatewayService(config, ProtectionConfig.fromEnv(Map.of(
            "GATEWAY_API_KEYS", "pool-a:" + KEY_A + ":admin|write,pool-b:" + KEY_B + ":write",
            "RATE_LIMITS", "/api/held=off")))));
    int port = await(stubs.createHttpServer().requestHandler(request -> {
      switch (request.path()) {
        case "/events" -> {
          HttpServerResponse response = request.response().setChunked(true)
              .putHeader("Content-Type", "text/event-stream");
          response.write("data: first\n\n");
          held.add(response);
        }
        default -> request.response().end("plain");
      }
    }).listen(0, "127.0.0.1")).actualPort();
    client = stubs.createHttpClient(new PoolOptions().setHttp1MaxSize(4 * PER_INSTANCE));
    opener = stubs.getOrCreateContext();
    try (TestHttp http = new TestHttp(gateway.port(), Map.of("X-API-Key", KEY_A))) {
      publish(gateway, "held-service", "held", port);
      awaitInstances(http, "held-service", 1);
    }
  }

  @AfterAll
  static void stop() {
    await(gateway.stop());
    await(stubs.close());
    await(cache.stop());
  }

  @Test
  void streamsHeldOpen_ordinaryRequestsStillPass_eachClientHoldsItsShare() {
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < PER_CLIENT; i++) {
      streams.add(open(KEY_A));
    }
    assertThat(streams).allSatisfy(stream -> assertThat(stream.response().statusCode()).isEqualTo(200));
    await(Future.all(streams.stream().map(Stream::firstEvent).toList()));
    Waits.until("every stream held by the instance", Duration.ofSeconds(10), () -> held.size() == PER_CLIENT);

    // The ordinary pool is untouched: a plain request is answered at once.
    String plain = await(onOpener(() -> client.request(request(KEY_A, "/api/held/plain"))
        .compose(HttpClientRequest::send)
        .compose(response -> response.body().map(body -> response.statusCode() + " " + body))));
    assertThat(plain).isEqualTo("200 plain");

    // One more stream of the same client is refused at once, and says why.
    Stream refused = open(KEY_A);
    assertThat(refused.response().statusCode()).isEqualTo(429);
    assertThat(refused.response().getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(await(refused.body()).toString()).contains("event streams");

    // Another client may open streams until the instance's share is taken; then 503, with Retry-After.
    for (int i = PER_CLIENT; i < PER_INSTANCE; i++) {
      assertThat(open(KEY_B).response().statusCode()).isEqualTo(200);
    }
    Stream full = open(KEY_B);
    assertThat(full.response().statusCode()).isEqualTo(503);
    assertThat(full.response().getHeader("Retry-After")).isEqualTo("1");
    assertThat(await(full.body()).toString()).contains("event-stream connection");
    // The gateway's own refusal, not the instance failing: more of them than open the breaker (20) leave it shut.
    for (int i = 0; i < 25; i++) {
      Stream refusedToo = open(KEY_B);
      assertThat(refusedToo.response().statusCode()).isEqualTo(503);
      await(refusedToo.body());
    }
    try (TestHttp admin = new TestHttp(gateway.port(), Map.of("X-API-Key", KEY_A))) {
      assertThat(admin.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
          .getJsonObject("held-service").getString("circuitBreaker")).isEqualTo("closed");
    }

    // A stream that ends gives its client its share back.
    HttpClientResponse first = streams.get(0).response();
    first.request().connection().close();
    Waits.until("the instance to see the stream closed", Duration.ofSeconds(10), () -> {
      held.removeIf(HttpServerResponse::closed);
      return held.size() == PER_INSTANCE - 1;
    });
    Waits.until("client A's share back", Duration.ofSeconds(10), () -> {
      HttpClientResponse again = open(KEY_A).response();
      again.request().connection().close();
      return again.statusCode() == 200;
    });
  }

  private static RequestOptions request(String key, String path) {
    return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
        .setURI(path).putHeader("X-API-Key", key).setIdleTimeout(5_000);
  }

  /** A stream the test opened: its response, its first chunk, and its whole body (once it ends). */
  private record Stream(HttpClientResponse response, Future<Void> firstEvent, Future<Buffer> body) {
  }

  /**
   * Opens a stream, on a connection of its own. Its body handler is set as soon as the head arrives, on the event
   * loop, before any chunk can come (one that came without a handler would be lost): see {@link #opener}.
   */
  private static Stream open(String key) {
    return await(onOpener(() -> client.request(request(key, "/api/held/events")).compose(HttpClientRequest::send)
        .map(response -> {
          Promise<Void> first = Promise.promise();
          Promise<Buffer> body = Promise.promise();
          Buffer received = Buffer.buffer();
          response.handler(chunk -> {
            received.appendBuffer(chunk);
            first.tryComplete();
          });
          response.endHandler(end -> {
            first.tryComplete();
            body.complete(received);
          });
          return new Stream(response, first.future(), body.future());
        })));
  }

  /**
   * Runs {@code request} on {@link #opener}, where every connection of the client lives. A plain request sent from
   * the test's thread once waited here for ever although the gateway had answered it in a millisecond: its
   * callbacks were handed to a context of their own, and the short body had ended before its handler was set.
   */
  private static <T> Future<T> onOpener(Supplier<Future<T>> request) {
    Promise<T> done = Promise.promise();
    opener.runOnContext(v -> request.get().onComplete(done));
    return done.future();
  }
}
