package io.catalogsuite.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.config.NodeConfig;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a node's tracing is made of, with and without an endpoint. */
class TracingTest {
  private static NodeConfig node(Map<String, String> vars) {
    return NodeConfig.fromEnv("test-service", 0, vars);
  }

  @Test
  void withoutAnEndpoint_vertxHasNoTracer() throws Exception {
    Tracing tracing = Tracing.of(node(Map.of()));
    assertThat(tracing).isSameAs(Tracing.OFF);
    assertThat(tracing.enabled()).isFalse();
    assertThat(tracing.startHazelcastCall("claim", "products")).isNull();
    assertThat(tracing.current()).isNull();
    Vertx vertx = tracing.install(Vertx.builder()).build();
    try {
      assertThat(((VertxInternal) vertx).tracer()).isNull();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutAnEndpoint_nothingIsRecordedOrLinked() throws Exception {
    Tracing tracing = Tracing.OFF;
    assertThat(tracing.traceparent()).isNull();
    assertThat(tracing.linkedTo(List.of("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "relay",
        null, () -> Future.succeededFuture("ran")).await(10, TimeUnit.SECONDS)).isEqualTo("ran");
  }

  /**
   * Work picked up later on behalf of earlier traces (outbox events): a root span of its own, linked to each
   * stored traceparent; what the work does is in that trace, what follows it is not.
   */
  @Test
  void linkedTo_aRootSpanLinkedToEachOrigin() throws Exception {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Tracing tracing = Tracing.to(SimpleSpanProcessor.create(exporter), node(Map.of()));
    Vertx vertx = tracing.install(Vertx.builder()).build();
    try {
      // Two writes, each in a span of its own (a timer's work has none: nothing to link).
      List<String> origins = new ArrayList<>();
      Promise<String> untraced = Promise.promise();
      vertx.runOnContext(v -> untraced.complete(String.valueOf(tracing.traceparent())));
      assertThat(untraced.future().await(10, TimeUnit.SECONDS)).isEqualTo("null");
      for (String write : List.of("write 1", "write 2")) {
        origins.add(tracing.continueIn(Context.root(), write, vertx,
            () -> Future.succeededFuture(tracing.traceparent())).await(10, TimeUnit.SECONDS));
      }
      assertThat(origins).allSatisfy(origin -> assertThat(origin).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"));

      Promise<String> after = Promise.promise();
      vertx.runOnContext(v -> tracing.linkedTo(
              List.of(origins.get(0), "not a traceparent", origins.get(1)), "relay", vertx,
              () -> Future.succeededFuture(Tracing.currentTraceId()))
          .onSuccess(inside -> after.complete(inside + " then " + tracing.traceparent())));
      String[] traces = after.future().await(10, TimeUnit.SECONDS).split(" then ");

      SpanData relay = exporter.getFinishedSpanItems().stream().filter(span -> span.getName().equals("relay"))
          .findFirst().orElseThrow();
      assertThat(relay.getParentSpanContext().isValid()).isFalse();
      assertThat(relay.getTraceId()).isEqualTo(traces[0]);
      assertThat(relay.getLinks()).extracting(link -> "00-" + link.getSpanContext().getTraceId() + "-"
          + link.getSpanContext().getSpanId() + "-01").containsExactlyElementsOf(origins);
      assertThat(traces[1]).as("what follows the work").isEqualTo("null");
      // Without a valid origin there is nothing to link to, and no span.
      assertThat(tracing.linkedTo(List.of("00-zz"), "unlinked", vertx, () -> Future.succeededFuture(1))
          .await(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).doesNotContain("unlinked");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The real exporter, found by the SDK on the classpath (the JDK's HTTP client), to a stand-in collector. */
  @Test
  void withAnEndpoint_spansAreExportedOverOtlpHttp() throws Exception {
    Vertx collector = Vertx.vertx();
    Queue<String> received = new ConcurrentLinkedQueue<>();
    int port = collector.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(request.method() + " " + request.path() + " " + request.getHeader("Content-Type") + " "
          + request.getHeader("X-Api-Key") + " " + body.length());
      request.response().putHeader("Content-Type", "application/x-protobuf").end();
    })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    Tracing tracing = Tracing.of(node(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port,
        "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=k3y")));
    assertThat(tracing.enabled()).isTrue();
    Vertx vertx = tracing.install(Vertx.builder()).build();
    try {
      assertThat(((VertxInternal) vertx).tracer()).isNotNull();
      int served = vertx.createHttpServer().requestHandler(request -> request.response().end("ok"))
          .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
      vertx.createHttpClient().request(HttpMethod.GET, served, "127.0.0.1", "/traced")
          .compose(request -> request.send().compose(response -> response.body()))
          .await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      tracing.close(); // sends what the batch processor still holds
      collector.close().await(10, TimeUnit.SECONDS);
    }
    assertThat(received).isNotEmpty()
        .allSatisfy(export -> assertThat(export).startsWith("POST /v1/traces application/x-protobuf k3y "));
  }
}
