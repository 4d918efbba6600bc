package io.catalogsuite.common.tracing;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.config.TracingConfig;
import io.catalogsuite.common.http.BuildInfo;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.internal.ContextInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's distributed tracing (OpenTelemetry), or none.
 *
 * <p>With tracing, Vert.x itself makes the spans of what crosses a process or a network: a server span for every
 * HTTP request served, a client span for every HTTP request sent (so each attempt of the gateway, a retry too, is
 * a span of its own), a span for every SQL query, and the two ends of every event-bus message; it reads and writes
 * W3C {@code traceparent} and {@code tracestate} on each, so a trace crosses the services. This class adds what
 * Vert.x does not see: calls to Hazelcast ({@link #startHazelcastCall}), and work handed on to later, whose trace
 * must be carried along ({@link #current}, {@link #continueIn}) or picked up later from the database
 * ({@link #traceparent}, {@link #linkedTo}). Where the node has no tracing ({@link #OFF}: no
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}), Vert.x has no tracer, and each of these costs one null check.
 *
 * <p>Inside Vert.x the current span lives in the Vert.x context (vertx-opentelemetry's context storage): on an
 * event loop, OpenTelemetry's {@code Context.current()} is the span of the request or message being handled.
 */
public final class Tracing {
  /** No tracer: Vert.x makes no span, and nothing here does any work. */
  public static final Tracing OFF = new Tracing(null);

  private static final AttributeKey<String> SERVICE_NAME = stringKey("service.name");
  private static final AttributeKey<String> SERVICE_INSTANCE = stringKey("service.instance.id");
  private static final AttributeKey<String> SERVICE_VERSION = stringKey("service.version");
  private static final AttributeKey<String> DB_SYSTEM = stringKey("db.system");
  private static final AttributeKey<String> DB_OPERATION = stringKey("db.operation.name");
  private static final AttributeKey<String> DB_COLLECTION = stringKey("db.collection.name");
  private static final String TRACEPARENT = "traceparent";
  /** Reads a stored {@code traceparent} back, for {@link #linkedTo}. */
  private static final TextMapGetter<Map<String, String>> CARRIER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);
  /** How long a stopping node may take to send the spans it still holds. */
  private static final long FLUSH_SECONDS = 5;

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.tracer = sdk == null ? null : sdk.getTracer("io.catalogsuite");
  }

  /** The node's tracing as configured: spans exported over OTLP in batches, or {@link #OFF} without an endpoint. */
  public static Tracing of(NodeConfig node) {
    TracingConfig config = node.tracing();
    if (config.tracesUrl().isEmpty()) {
      return OFF;
    }
    OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(config.tracesUrl().get().toString());
    config.otlpHeaders().forEach(exporter::addHeader);
    log.info("Tracing: spans of {} ({}) exported to {}", config.serviceName(), config.sampler(),
        config.tracesUrl().get());
    return new Tracing(sdk(config, node.instanceId(), BatchSpanProcessor.builder(exporter.build()).build()));
  }

  /**
   * Tracing whose spans go to {@code processor} as they end, whatever the node's configuration says of an
   * endpoint (tests: a {@code SimpleSpanProcessor} over an in-memory exporter).
   */
  public static Tracing to(SpanProcessor processor, NodeConfig node) {
    return new Tracing(sdk(node.tracing(), node.instanceId(), processor));
  }

  private static OpenTelemetrySdk sdk(TracingConfig config, String instanceId, SpanProcessor processor) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME,
        config.serviceName(), SERVICE_INSTANCE, instanceId, SERVICE_VERSION, BuildInfo.CURRENT.version())));
    return OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setResource(resource)
            .setSampler(sampler(config))
            .addSpanProcessor(processor)
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
  }

  private static Sampler sampler(TracingConfig config) {
    return switch (config.sampler()) {
      case ALWAYS_ON -> Sampler.alwaysOn();
      case ALWAYS_OFF -> Sampler.alwaysOff();
      case TRACEIDRATIO -> Sampler.traceIdRatioBased(config.samplerRatio());
      case PARENTBASED_ALWAYS_ON -> Sampler.parentBased(Sampler.alwaysOn());
      case PARENTBASED_ALWAYS_OFF -> Sampler.parentBased(Sampler.alwaysOff());
      case PARENTBASED_TRACEIDRATIO -> Sampler.parentBased(Sampler.traceIdRatioBased(config.samplerRatio()));
    };
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** Gives the Vert.x about to be built this tracer; leaves it without any when tracing is off. */
  public VertxBuilder install(VertxBuilder vertx) {
    return sdk == null ? vertx : vertx.withTracer(new OpenTelemetryTracingFactory(sdk));
  }

  /**
   * The id of the trace being recorded here (on an event loop, the request's), or null when none is: call it only
   * where tracing is {@link #enabled()}, it looks the current span up.
   */
  public static String currentTraceId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isSampled() ? span.getTraceId() : null;
  }

  /**
   * Starts the span of a call this node makes to Hazelcast ({@code operation} on {@code map}), as a child of the
   * current span: null when tracing is off or no trace is going on here (a timer's work, say), so that the caller
   * has nothing more to do. {@link #endWhenDone} ends it.
   */
  public Span startHazelcastCall(String operation, String map) {
    if (tracer == null) {
      return null;
    }
    Context parent = Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      return null;
    }
    return tracer.spanBuilder(operation + " " + map)
        .setParent(parent)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(DB_SYSTEM, "hazelcast")
        .setAttribute(DB_OPERATION, operation)
        .setAttribute(DB_COLLECTION, map)
        .startSpan();
  }

  /** Ends {@code span} (if any) when {@code call} completes, failed (with its error) or not; returns {@code call}. */
  public static <T> Future<T> endWhenDone(Span span, Future<T> call) {
    if (span == null) {
      return call;
    }
    return call.onComplete(result -> {
      if (result.failed()) {
        span.recordException(result.cause());
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    });
  }

  /**
   * The trace going on here (on an event loop, the request's or the message's), to continue in work that runs
   * later ({@link #continueIn}); null when tracing is off or there is none.
   */
  public Context current() {
    if (tracer == null) {
      return null;
    }
    Context current = Context.current();
    return Span.fromContext(current).getSpanContext().isValid() ? current : null;
  }

  /**
   * Runs {@code work} within {@code trace} (from {@link #current}), in a span {@code name} of its own: what Vert.x
   * does in it (SQL queries, HTTP requests, messages) joins that trace, wherever {@code work} is started from. With
   * tracing, it runs on a context of its own on the caller's event loop (a duplicate, as Vert.x gives each
   * request), so that it never joins the trace of the work it was started from; without a {@code trace} it makes
   * no span. Without tracing, {@code work} simply runs.
   */
  public <T> Future<T> continueIn(Context trace, String name, Vertx vertx, Supplier<Future<T>> work) {
    if (tracer == null) {
      return work.get();
    }
    return runIn(trace, trace == null ? null : tracer.spanBuilder(name).setParent(trace), vertx, work);
  }

  /**
   * The span going on here as a W3C {@code traceparent}, for work that another process picks up later from what
   * this one stores (an outbox event): {@link #linkedTo} links back to it. Null when tracing is off or no trace is
   * going on here.
   */
  public String traceparent() {
    Context current = current();
    if (current == null) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(current, carrier, Map::put);
    return carrier.get(TRACEPARENT);
  }

  /**
   * Runs {@code work} done on behalf of many traces at once (a batch of outbox events) in a trace of its own: a root
   * span {@code name} that links to each of {@code origins} ({@link #traceparent}s; invalid ones are skipped), as
   * OpenTelemetry's messaging conventions do for a batch. What Vert.x does in it joins that trace, as in
   * {@link #continueIn}. Without any origin, or without tracing, {@code work} simply runs, in no trace.
   */
  public <T> Future<T> linkedTo(Collection<String> origins, String name, Vertx vertx, Supplier<Future<T>> work) {
    if (tracer == null) {
      return work.get();
    }
    SpanBuilder span = tracer.spanBuilder(name).setNoParent();
    int links = 0;
    for (String origin : origins) {
      SpanContext linked = Span.fromContext(W3CTraceContextPropagator.getInstance()
          .extract(Context.root(), Map.of(TRACEPARENT, origin), CARRIER)).getSpanContext();
      if (linked.isValid()) {
        span.addLink(linked);
        links++;
      }
    }
    return links == 0 ? work.get() : runIn(Context.root(), span, vertx, work);
  }

  /**
   * Runs {@code work} on a duplicate of the caller's context, in {@code span} under {@code parent} if given; what
   * follows it runs on the caller's context again (outside that trace).
   */
  private <T> Future<T> runIn(Context parent, SpanBuilder builder, Vertx vertx, Supplier<Future<T>> work) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    ContextInternal context = caller.duplicate();
    Span span = null;
    if (builder != null) {
      span = builder.startSpan();
      // Never detached: the duplicate is this work's alone, and what the work starts later (a query's next step)
      // looks the trace up there.
      VertxContextStorageProvider.VertxContextStorage.INSTANCE.attach(context, parent.with(span));
    }
    Promise<T> done = caller.promise();
    context.runOnContext(v -> work.get().onComplete(done));
    return endWhenDone(span, done.future());
  }

  /** Sends the spans still held (for up to {@value #FLUSH_SECONDS} s), then stops. Blocking: not on an event loop. */
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
    }
  }
}
