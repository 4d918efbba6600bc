package io.catalogsuite.gateway;

import static io.catalogsuite.gateway.TestGateway.awaitInstances;
import static io.catalogsuite.gateway.TestGateway.publish;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed bodies through a real gateway, in front of small real HTTP servers published in its discovery: request
 * bodies of a streamed media type (NDJSON) piped to the instance as they arrive, past the gateway's body limit, and
 * responses the instance keeps open (server-sent events) relayed as they come. Retries of streamed requests are in
 * {@link ResilienceIT}.
 */
class StreamingIT {
  private static final String API_KEY = "streaming-it-" + UUID.randomUUID();
  private static final String NDJSON = "application/x-ndjson; charset=utf-8";
  /** Far below what the uploads send: a buffered body larger than this gets a 413. */
  private static final int MAX_BODY_BYTES = 1024 * 1024;
  /** Short, so that uploads and event streams outlast it. */
  private static final int ROUTE_TIMEOUT_MS = 300;
  private static final int CHUNK_BYTES = 64 * 1024;

  private static Vertx stubs;
  private static ServiceNode cache;
  private static ServiceNode gateway;
  private static TestHttp http;
  private static HttpClient client;
  private static EventSource events;

  @BeforeAll
  static void start() {
    stubs = Vertx.vertx();
    GatewayConfig config = GatewayConfig.fromEnv(Map.of(
        "GATEWAY_ROUTES", "/api/whole=whole-service,/api/early=early-service,/api/abort=abort-service,"
            + "/api/patient=patient-service,/api/mute=mute-service,/api/events=events-service",
        "GATEWAY_MAX_BODY_BYTES", Integer.toString(MAX_BODY_BYTES),
        "ROUTE_TIMEOUTS", "/api/patient=" + ROUTE_TIMEOUT_MS + ",/api/mute=" + ROUTE_TIMEOUT_MS
            + ",/api/events=" + ROUTE_TIMEOUT_MS));
    String cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    gateway = TestGateway.start(cluster, "gw-streaming", config, "streaming-it", API_KEY);
    http = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY));
    client = stubs.createHttpClient();
    events = new EventSource();
    publish(gateway, "events-service", "events", events.port);
    awaitInstances(http, "events-service", 1);
  }

  @AfterAll
  static void stop() {
    http.close();
    await(gateway.stop());
    await(stubs.close());
    await(cache.stop());
  }

  @Test
  void streamedBody_64MiB_reachesTheInstanceWhole_pastTheBodyLimit() {
    Sink sink = new Sink(true);
    publish(gateway, "whole-service", "whole", sink.port);
    awaitInstances(http, "whole-service", 1);
    Upload upload = new Upload(client, "/api/whole/imports");
    await(upload.write(1024)); // 64 MiB, 64 KiB at a time, as fast as the gateway takes them
    await(upload.end());
    Answer answer = await(upload.answer);
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    JsonObject seen = answer.body().toJsonObject();
    assertThat(seen.getLong("bytes")).isEqualTo(64L * 1024 * 1024);
    assertThat(seen.getLong("crc32")).isEqualTo(upload.crc32());
    // The limit still holds for a body the gateway buffers.
    assertThat(http.send(HttpMethod.POST, "/api/whole/imports", "application/json",
        Buffer.buffer(new byte[MAX_BODY_BYTES + 1])).statusCode()).isEqualTo(413);
  }

  @Test
  void streamedBody_instanceAnswersEarly_clientGetsTheAnswer_connectionStillServes() {
    int port = listen(request -> request.pause().response().setStatusCode(413) // it reads none of the body
        .putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject().put("status", 413).put("detail", "imports stop at 1 GB").encode()));
    publish(gateway, "early-service", "early", port);
    awaitInstances(http, "early-service", 1);
    HttpClient oneConnection = stubs.createHttpClient(new PoolOptions().setHttp1MaxSize(1));
    try {
      Upload upload = new Upload(oneConnection, "/api/early/imports");
      await(upload.write(1));
      Answer answer = await(upload.answer); // while the upload goes on
      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.body().toJsonObject().getString("detail")).isEqualTo("imports stop at 1 GB");
      // The gateway reads the rest (16 MiB, more than socket buffers hold) and drops it, rather than wait for the
      // instance to read it, and the same connection carries the next request.
      await(upload.write(256));
      await(upload.end());
      Upload next = new Upload(oneConnection, "/api/early/imports");
      await(next.end());
      assertThat(await(next.answer).status()).isEqualTo(413);
    } finally {
      await(oneConnection.close());
    }
  }

  @Test
  void streamedBody_clientBreaksOff_instanceRequestCutOff_notCountedAgainstIt() {
    Sink sink = new Sink(true);
    publish(gateway, "abort-service", "abort", sink.port);
    awaitInstances(http, "abort-service", 1);
    Upload upload = new Upload(client, "/api/abort/imports");
    await(upload.write(4));
    Waits.until("the first bytes at the instance", Duration.ofSeconds(10), () -> sink.bytes.get() > 0);
    upload.request.reset(); // the client goes away mid-upload
    Waits.until("the instance's request to finish", Duration.ofSeconds(10), () -> sink.outcome.get() != null);
    assertThat(sink.outcome.get()).isEqualTo("cut off"); // not "ended": it must not take what it got as whole
    JsonObject instance = abortInstance(http.awaitResponse("/admin/services",
        r -> abortInstance(r).getInteger("inFlight") == 0, Duration.ofSeconds(10)));
    assertThat(instance.getLong("failures")).isZero(); // the client went away: no fault of the instance
    assertThat(PrometheusText.sample(http.get("/metrics").bodyAsString(), "gateway_requests_seconds_count",
        "route=\"/api/abort\"", "status=\"499\"")).isEqualTo(1); // "client closed request", as nginx says
  }

  private static JsonObject abortInstance(HttpResponse<Buffer> admin) {
    return admin.bodyAsJsonObject().getJsonObject("services").getJsonObject("abort-service")
        .getJsonArray("instances").getJsonObject(0);
  }

  @Test
  void streamedBody_routeTimeoutCountsFromTheEndOfTheUpload() {
    Sink patient = new Sink(true);
    Sink mute = new Sink(false);
    publish(gateway, "patient-service", "patient", patient.port);
    publish(gateway, "mute-service", "mute", mute.port);
    awaitInstances(http, "patient-service", 1);
    awaitInstances(http, "mute-service", 1);

    Upload slow = new Upload(client, "/api/patient/imports");
    await(slow.write(1));
    Waits.until("the first chunk at the instance", Duration.ofSeconds(10), () -> patient.bytes.get() == CHUNK_BYTES);
    await(stubs.timer(2L * ROUTE_TIMEOUT_MS)); // the client pauses mid-upload for longer than the route's timeout
    await(slow.write(1));
    await(slow.end());
    Answer answer = await(slow.answer);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body().toJsonObject().getLong("bytes")).isEqualTo(2L * CHUNK_BYTES);

    Upload unanswered = new Upload(client, "/api/mute/imports");
    await(unanswered.write(1));
    await(unanswered.end());
    Answer timedOut = await(unanswered.answer); // once the upload is over, the instance has the timeout to answer
    assertThat(timedOut.status()).isEqualTo(504);
    assertThat(timedOut.headers().get("Content-Type")).isEqualTo("application/problem+json");
  }

  @ParameterizedTest(name = "gzip: {0}")
  @ValueSource(booleans = {false, true})
  void eventStream_flowsChunkByChunk_whileTheInstanceKeepsItOpen(boolean gzip) {
    Gunzip gunzip = new Gunzip();
    StringBuffer received = new StringBuffer();
    Promise<MultiMap> headers = Promise.promise();
    Promise<Void> ended = Promise.promise();
    RequestOptions options = eventStream();
    if (gzip) {
      options.putHeader("Accept-Encoding", "gzip");
    }
    client.request(options).compose(HttpClientRequest::send).onSuccess(response -> {
      headers.complete(response.headers());
      response.handler(chunk -> received.append(gzip ? gunzip.text(chunk) : chunk.toString(StandardCharsets.UTF_8)));
      response.endHandler(ended::complete);
    }).onFailure(headers::fail);

    assertThat(await(headers.future()).get("Content-Type")).isEqualTo("text/event-stream");
    assertThat(await(headers.future()).get("Content-Encoding")).isEqualTo(gzip ? "gzip" : null);
    // Ten heartbeats, 50 ms apart, outlast the route's timeout (300 ms): it does not cut a response that has begun.
    Waits.until("the first event and ten heartbeats, the stream still open", Duration.ofSeconds(10),
        () -> received.toString().startsWith("data: first\n\n") && heartbeats(received) >= 10);
    assertThat(ended.future().isComplete()).isFalse();
    events.latest.get().finish();
    await(ended.future());
    assertThat(received.toString()).endsWith("data: last\n\n");
  }

  @Test
  void eventStream_clientLeaves_instanceStreamClosed() {
    StringBuffer received = new StringBuffer();
    HttpClientResponse response = await(client.request(eventStream()).compose(request -> request.send()
        .onSuccess(r -> r.handler(chunk -> received.append(chunk.toString(StandardCharsets.UTF_8))))));
    Waits.until("the first event", Duration.ofSeconds(10), () -> received.toString().startsWith("data: first"));
    response.request().reset(); // the client goes away
    Waits.until("the instance to see its stream closed", Duration.ofSeconds(10), () -> events.latest.get().closed);
  }

  /** A request for the event stream of the events route's instance. */
  private static RequestOptions eventStream() {
    return new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gateway.port())
        .setURI("/api/events/stream").putHeader("Accept", "text/event-stream");
  }

  private static long heartbeats(CharSequence events) {
    return events.toString().lines().filter(": heartbeat"::equals).count();
  }

  /** A real HTTP server standing in for an instance: answers /health, and any other request with {@code handler}. */
  private static int listen(Handler<HttpServerRequest> handler) {
    return await(stubs.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/health")) {
        request.response().end();
      } else {
        handler.handle(request);
      }
    }).listen(0, "127.0.0.1")).actualPort();
  }

  /** A client's response, read whole. */
  private record Answer(int status, MultiMap headers, Buffer body) {
  }

  /**
   * A streamed (NDJSON, chunked) request to the gateway that the test writes piece by piece. It lives on one event
   * loop of {@code stubs}, where its back-pressure signals arrive, and so do all the writes.
   */
  private static final class Upload {
    private final Context context = stubs.getOrCreateContext();
    private final CRC32 crc = new CRC32();
    private final HttpClientRequest request;
    /** The gateway's answer, read as soon as it comes, which may be before the upload is over; or how it failed. */
    private final Future<Answer> answer;

    Upload(HttpClient client, String path) {
      Promise<HttpClientRequest> opened = Promise.promise();
      Promise<Answer> answered = Promise.promise();
      context.runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(gateway.port()).setURI(path)
              .putHeader("X-API-Key", API_KEY).putHeader("Content-Type", NDJSON))
          .onSuccess(request -> request.setChunked(true).exceptionHandler(failure -> { }).response()
              .compose(response -> response.body()
                  .map(body -> new Answer(response.statusCode(), response.headers(), body)))
              .onComplete(answered))
          .onComplete(opened));
      request = await(opened.future());
      answer = answered.future();
    }

    /** Writes {@code chunks} chunks of 64 KiB of random bytes, each as soon as the gateway takes it. */
    Future<Void> write(int chunks) {
      Promise<Void> written = Promise.promise();
      context.runOnContext(v -> pump(chunks, written));
      return written.future();
    }

    private void pump(int chunks, Promise<Void> written) {
      int left = chunks;
      while (left > 0 && !request.writeQueueFull()) {
        byte[] bytes = new byte[CHUNK_BYTES];
        ThreadLocalRandom.current().nextBytes(bytes);
        crc.update(bytes);
        request.write(Buffer.buffer(bytes));
        left--;
      }
      if (left == 0) {
        request.drainHandler(null); // else a later drain would run an earlier pump again, writing its rest twice
        written.complete();
      } else {
        int rest = left;
        request.drainHandler(v -> pump(rest, written));
      }
    }

    Future<Void> end() {
      Promise<Void> ended = Promise.promise();
      context.runOnContext(v -> request.end().onComplete(ended));
      return ended.future();
    }

    /** The CRC32 of everything written so far. */
    long crc32() {
      Promise<Long> value = Promise.promise();
      context.runOnContext(v -> value.complete(crc.getValue()));
      return await(value.future());
    }
  }

  /**
   * A stand-in instance that reads each request body as it arrives, and answers its size and CRC32 once it has
   * ended (unless told never to answer). It remembers how the last body went.
   */
  private static final class Sink {
    final AtomicLong bytes = new AtomicLong();
    /** Null while the last body flows; then "ended" (whole) or "cut off" (its connection closed before its end). */
    final AtomicReference<String> outcome = new AtomicReference<>();
    final int port;

    Sink(boolean answers) {
      port = listen(request -> {
        bytes.set(0);
        outcome.set(null);
        CRC32 crc = new CRC32();
        request.handler(chunk -> {
          bytes.addAndGet(chunk.length());
          crc.update(chunk.getBytes());
        });
        request.exceptionHandler(failure -> outcome.compareAndSet(null, "cut off"));
        request.endHandler(v -> {
          outcome.compareAndSet(null, "ended");
          if (answers) {
            request.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("bytes", bytes.get()).put("crc32", crc.getValue()).encode());
          }
        });
      });
    }
  }

  /**
   * A stand-in instance serving server-sent events: a first event at once, then a heartbeat comment every 50 ms
   * (what keeps proxies and clients from taking a quiet stream for a dead one), until the test finishes the
   * stream with a last event.
   */
  private static final class EventSource {
    final AtomicReference<Stream> latest = new AtomicReference<>();
    final int port = listen(request -> latest.set(new Stream(request.response())));

    /** One client's stream. Its heartbeats and its end happen on the event loop that serves it. */
    static final class Stream {
      private final Context context = Vertx.currentContext();
      private final HttpServerResponse response;
      private final long heartbeat;
      volatile boolean closed;

      Stream(HttpServerResponse response) {
        this.response = response;
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
            .write("data: first\n\n");
        heartbeat = stubs.setPeriodic(50, id -> response.write(": heartbeat\n\n"));
        response.closeHandler(v -> {
          closed = true;
          stubs.cancelTimer(heartbeat);
        });
      }

      void finish() {
        context.runOnContext(v -> {
          stubs.cancelTimer(heartbeat);
          response.end("data: last\n\n");
        });
      }
    }
  }

  /** Gunzips a response as its chunks arrive (the JDK's GZIPInputStream would block until the stream ends). */
  private static final class Gunzip {
    private final EmbeddedChannel decoder = new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(ZlibWrapper.GZIP, 0));

    String text(Buffer chunk) {
      decoder.writeInbound(Unpooled.wrappedBuffer(chunk.getBytes()));
      StringBuilder text = new StringBuilder();
      for (ByteBuf out = decoder.readInbound(); out != null; out = decoder.readInbound()) {
        text.append(out.toString(StandardCharsets.UTF_8));
        out.release();
      }
      return text.toString();
    }
  }
}
