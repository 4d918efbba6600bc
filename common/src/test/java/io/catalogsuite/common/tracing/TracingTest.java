package io.catalogsuite.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.config.NodeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
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
