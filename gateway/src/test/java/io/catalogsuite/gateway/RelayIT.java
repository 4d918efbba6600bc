package io.catalogsuite.gateway;

import static io.catalogsuite.gateway.TestGateway.awaitInstances;
import static io.catalogsuite.gateway.TestGateway.publish;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Responses relayed while either side goes away: an instance that breaks off mid-body must not leave the client
 * with a body that looks whole, and a client that leaves mid-response must cost the gateway nothing but the cut.
 */
class RelayIT {
  private static final String API_KEY = "relay-it-" + UUID.randomUUID();
  private static final int PART_BYTES = 1000;
  private static final int CHUNK_BYTES = 16 * 1024;

  private static Vertx stubs;
  private static ServiceNode cache;
  private static ServiceNode gateway;
  private static HttpClient client;
  /** Endless responses the stand-in instance is writing, and how many of them it has seen closed. */
  private static final AtomicInteger endlessOpen = new AtomicInteger();
  private static final AtomicInteger endlessClosed = new AtomicInteger();
  /** What Vert.x logs of exceptions nobody handled, on the gateway's contexts among others. */
  private static final ListAppender<ILoggingEvent> unhandled = new ListAppender<>();

  @BeforeAll
  static void start() {
    stubs = Vertx.vertx();
    String cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    gateway = TestGateway.start(cluster, "gw-relay", GatewayConfig.fromEnv(Map.of(
        "GATEWAY_ROUTES", "/api/relay=relay-service")), "relay-it", API_KEY);
    int port = await(stubs.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response();
      switch (request.path()) {
        case "/health" -> response.end();
        // Part of the body, then the connection closes: chunked, or short of its Content-Length.
        case "/cut/chunked" -> response.setChunked(true).write(Buffer.buffer(new byte[PART_BYTES]))
            .onComplete(v -> request.connection().close());
        case "/cut/length" -> response.putHeader("Content-Length", Integer.toString(100 * PART_BYTES))
            .write(Buffer.buffer(new byte[PART_BYTES])).onComplete(v -> request.connection().close());
        case "/endless" -> {
          endlessOpen.incrementAndGet();
          response.setChunked(true).closeHandler(v -> endlessClosed.incrementAndGet());
          pump(response);
        }
        default -> response.setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1")).actualPort();
    client = stubs.createHttpClient();
    try (TestHttp http = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY))) {
      publish(gateway, "relay-service", "relay", port);
      awaitInstances(http, "relay-service", 1);
    }
    unhandled.start();
    ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.ContextImpl")).addAppender(unhandled);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger("io.vertx.core.impl.ContextImpl")).detachAppender(unhandled);
    await(gateway.stop());
    await(stubs.close());
    await(cache.stop());
  }

  /**
   * Writes chunks as fast as the connection takes them, until it closes: a few at a time, the next few in a later
   * task (on loopback the queue may never fill, and a loop until it did would hold the event loop for ever).
   */
  private static void pump(HttpServerResponse response) {
    for (int i = 0; i < 4 && !response.closed() && !response.writeQueueFull(); i++) {
      response.write(Buffer.buffer(new byte[CHUNK_BYTES]));
    }
    if (response.closed()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(v -> pump(response));
    } else {
      stubs.runOnContext(v -> pump(response));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"chunked", "length"})
  void instanceBreaksOffMidBody_theClientsResponseIsCutToo_neverEndedAsIfWhole(String framing) {
    // The body is read in the callback that gets the head, on the event loop: no chunk or end can come before.
    Future<Buffer> body = client.request(request("/api/relay/cut/" + framing)).compose(HttpClientRequest::send)
        .compose(HttpClientResponse::body);
    await(body.transform(read -> Future.succeededFuture()));
    assertThat(body.failed())
        .as("the body must fail (its connection cut), not arrive as if whole: %s",
            body.succeeded() ? body.result().length() + " bytes" : "")
        .isTrue();
    assertThat(body.cause()).isNotInstanceOf(TimeoutException.class);
  }

  @Test
  void clientLeavesMidResponse_theInstancesResponseIsCut_andNothingIsLeftUnhandled() {
    int rounds = 20;
    for (int i = 0; i < rounds; i++) {
      Promise<Void> firstChunk = Promise.promise();
      HttpClientResponse response = await(client.request(request("/api/relay/endless"))
          .compose(HttpClientRequest::send)
          .onSuccess(r -> r.handler(chunk -> firstChunk.tryComplete())));
      await(firstChunk.future());
      response.request().connection().close(); // the client goes away while the instance goes on writing
    }
    Waits.until("every endless response closed at the instance", Duration.ofSeconds(10),
        () -> endlessClosed.get() == rounds && endlessOpen.get() == rounds);
    List<String> errors;
    synchronized (unhandled) { // appended under the appender's lock (AppenderBase.doAppend)
      errors = unhandled.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
          .map(event -> event.getFormattedMessage()
              + (event.getThrowableProxy() == null ? "" : ": " + event.getThrowableProxy().getMessage()))
          .toList();
    }
    assertThat(errors).isEmpty();
  }

  private static RequestOptions request(String path) {
    return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
        .setURI(path).putHeader("X-API-Key", API_KEY).setIdleTimeout(20_000);
  }
}
