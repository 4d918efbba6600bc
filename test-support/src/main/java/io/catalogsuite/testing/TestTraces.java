package io.catalogsuite.testing;

import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * One in-memory span exporter for the nodes of a test: each node traces through {@link #tracing} (its own tracer,
 * as in a deployment, so each span names its service), and every ended span lands here at once.
 */
public final class TestTraces {
  public static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  /** Tracing for {@code node}'s Vert.x, into this exporter. */
  public Tracing tracing(NodeConfig node) {
    return Tracing.to(SimpleSpanProcessor.create(exporter), node);
  }

  /** Every span ended so far, by every node. */
  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  /** The ended spans of the trace {@code traceId}. */
  public List<SpanData> trace(String traceId) {
    return spans().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
  }

  /** Waits until {@code ended} holds of the spans of trace {@code traceId}, and returns them. */
  public List<SpanData> awaitTrace(String traceId, Predicate<List<SpanData>> ended) {
    Waits.until("the spans of trace " + traceId, Duration.ofSeconds(10), () -> ended.test(trace(traceId)));
    return trace(traceId);
  }

  /** Waits for an ended span that {@code matches} ({@code what} names it in the failure), and returns it. */
  public SpanData awaitSpan(String what, Predicate<SpanData> matches) {
    Waits.until(what, Duration.ofSeconds(10), () -> spans().stream().anyMatch(matches));
    return spans().stream().filter(matches).findFirst().orElseThrow();
  }

  /** The service whose node made {@code span}. */
  public static String service(SpanData span) {
    return span.getResource().getAttribute(SERVICE_NAME);
  }
}
