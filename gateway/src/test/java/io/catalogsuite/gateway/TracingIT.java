package io.catalogsuite.gateway;

import static io.catalogsuite.testing.TestHttp.await;
import static io.catalogsuite.testing.TestTraces.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.catalog.CatalogConfig;
import io.catalogsuite.catalog.CatalogService;
import io.catalogsuite.catalog.cache.NearCacheConfig;
import io.catalogsuite.catalog.cache.SharedCacheConfig;
import io.catalogsuite.catalog.events.EventStreams;
import io.catalogsuite.catalog.events.EventsConfig;
import io.catalogsuite.catalog.imports.ImportConfig;
import io.catalogsuite.catalog.product.IdempotencyConfig;
import io.catalogsuite.common.Service;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.gateway.proxy.Resilience;
import io.catalogsuite.testing.CapturedLogs;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.TestPostgres;
import io.catalogsuite.testing.TestTraces;
import io.catalogsuite.testing.Waits;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One trace across the suite: a real gateway, a cache-service and two catalog-service members (on a real
 * Postgres) in one cluster, every node's Vert.x tracing into one in-memory exporter. A request's trace is found
 * through the id the gateway's access log gives it. Its tree: the gateway's server span, the root (or the child
 * of the client's {@code traceparent}); under it one client span per attempt; under the attempt that reached an
 * instance, the catalog's server span; under that, its Postgres queries and Hazelcast calls. An import's batches
 * hang under the upload's server span: the event-bus message sent, received by a worker, which writes the batch
 * in a span of its own, with its queries. A change's event is relayed from the outbox in a trace of its own, whose
 * root links to the span that wrote it: the cache's invalidation and the event bus message are under it.
 */
class TracingIT {
  private static final String API_KEY = "tracing-it-" + UUID.randomUUID();
  private static final Set<String> OWN_SERVICES = Set.of(GatewayService.NAME, CatalogService.NAME);
  /** Health rules that stay out of the way: one 503 must not take an instance out. */
  private static final HealthPolicy LENIENT = new HealthPolicy(1_000, 1_000, 1_000, 50, 60_000, 100, 1, 0);
  /** One retry, at once; a budget and breaker too generous to matter. */
  private static final Resilience ONE_RETRY = new Resilience(1, 0, 0, 100, 1_000, 1_000_000, 10_000, 10_000);

  /** Vert.x's attributes (OpenTelemetry's semantic conventions), every one a string. */
  private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("http.response.status_code");
  private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
  private static final AttributeKey<String> DB_QUERY = AttributeKey.stringKey("db.query.text");
  private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  private static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("service.instance.id");

  private static final TestTraces traces = new TestTraces();
  private static ServiceNode cache;
  private static ServiceNode catalog;
  private static ServiceNode catalogB;
  private static ServiceNode gateway;
  private static TestHttp http;
  private static Vertx stubs;

  @BeforeAll
  static void start() {
    String cluster = TestNodes.uniqueClusterName();
    cache = traced(TestNodes.config(CacheService.NAME, cluster), new CacheService(CacheConfig.fromEnv(Map.of())));
    // Two catalog instances, so that import batches cross the event bus; imports of 2 lines a batch.
    CatalogConfig catalogConfig = new CatalogConfig(CatalogConfig.database(TestPostgres.createDatabase()), 4,
        SharedCacheConfig.withMissingTtl(5), NearCacheConfig.defaults(), EventsConfig.defaults(),
        new ImportConfig(2, 1 << 20, 30, 1000, 2), IdempotencyConfig.defaults());
    catalog = traced(TestNodes.config(CatalogService.NAME, cluster), new CatalogService(catalogConfig));
    catalogB = traced(TestNodes.config(CatalogService.NAME, cluster), new CatalogService(catalogConfig));
    GatewayConfig config = new GatewayConfig(
        GatewayConfig.routes(List.of("/api/catalog=catalog-service", "/api/flaky=flaky-service")), 5_000, 1_000,
        1024 * 1024, Set.of("application/x-ndjson"), LENIENT, Map.of(), Map.of(), Map.of(), ONE_RETRY,
        new GatewayConfig.ClientLimits(8192, 30, true, List.of()), GatewayConfig.StreamLimits.DEFAULT);
    gateway = traced(TestNodes.config(GatewayService.NAME, cluster), new GatewayService(config,
        ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", "tracing-it:" + API_KEY + ":admin|write",
            "RATE_LIMITS", "/api/catalog=off,/api/flaky=off"))));
    http = new TestHttp(gateway.port(), Map.of("X-API-Key", API_KEY));
    // flaky-service: an instance that answers 503 to everything, and the real catalog instance again.
    stubs = Vertx.vertx();
    int busy = await(stubs.createHttpServer().requestHandler(req -> req.response().setStatusCode(
        req.path().equals("/health") ? 200 : 503).end()).listen(0, "127.0.0.1")).actualPort();
    TestGateway.publish(gateway, "flaky-service", "flaky-busy", busy);
    TestGateway.publish(gateway, "flaky-service", "flaky-catalog", catalog.port());
    TestGateway.awaitInstances(http, CatalogService.NAME, 2);
    TestGateway.awaitInstances(http, "flaky-service", 2);
  }

  private static ServiceNode traced(NodeConfig config, Service service) {
    return await(ServiceNode.start(config, service, traces.tracing(config)));
  }

  @AfterAll
  static void stop() {
    http.close();
    await(stubs.close());
    await(gateway.stop());
    await(catalogB.stop());
    await(catalog.stop());
    await(cache.stop());
  }

  @Test
  void oneRequest_oneTrace_gatewayAttemptCatalogPostgres() {
    long id = created();
    Traced get = send(http.request(HttpMethod.GET, "/api/catalog/products/" + id));
    assertThat(get.response.statusCode()).isEqualTo(200);
    List<SpanData> trace = traces.awaitTrace(get.traceId, hasPostgresUnderCatalog());

    SpanData server = only(trace, GatewayService.NAME, SpanKind.SERVER);
    assertThat(server.getParentSpanContext().isValid()).as("the gateway's span is the root").isFalse();
    SpanData attempt = only(trace, GatewayService.NAME, SpanKind.CLIENT);
    assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId());
    SpanData handler = only(trace, CatalogService.NAME, SpanKind.SERVER);
    assertThat(handler.getParentSpanId()).isEqualTo(attempt.getSpanId());
    List<SpanData> queries = postgres(trace);
    assertThat(queries).isNotEmpty().allSatisfy(query -> {
      assertThat(query.getParentSpanId()).isEqualTo(handler.getSpanId());
      assertThat(service(query)).isEqualTo(CatalogService.NAME);
    });
    assertThat(trace).extracting(TestTraces::service).allMatch(OWN_SERVICES::contains);
    assertThat(handler.getAttributes().get(URL_PATH)).isEqualTo("/products/" + id);
    assertThat(queries).extracting(query -> query.getAttributes().get(DB_QUERY))
        .anyMatch(sql -> sql.contains("FROM products"));
    // One trace: the product was read once, and in no other trace.
    assertThat(traces.spans()).filteredOn(span -> span.getKind() == SpanKind.SERVER && span.getName().equals("GET")
            && span.getAttributes().get(URL_PATH).endsWith("/products/" + id))
        .extracting(SpanData::getTraceId).containsOnly(get.traceId);
  }

  @Test
  void clientTraceparent_isContinued() {
    long id = created();
    String traceId = hex(32);
    String parentId = hex(16);
    Traced get = send(http.request(HttpMethod.GET, "/api/catalog/products/" + id)
        .putHeader("traceparent", "00-" + traceId + "-" + parentId + "-01")
        .putHeader("tracestate", "shop=checkout"));
    assertThat(get.traceId).isEqualTo(traceId);
    List<SpanData> trace = traces.awaitTrace(traceId, hasPostgresUnderCatalog());
    SpanData server = only(trace, GatewayService.NAME, SpanKind.SERVER);
    assertThat(server.getParentSpanId()).isEqualTo(parentId);
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
    // The instance got the gateway's traceparent, not the client's one forwarded as is.
    SpanData attempt = only(trace, GatewayService.NAME, SpanKind.CLIENT);
    SpanData handler = only(trace, CatalogService.NAME, SpanKind.SERVER);
    assertThat(handler.getParentSpanId()).isEqualTo(attempt.getSpanId());
    assertThat(handler.getSpanContext().getTraceState().get("shop")).isEqualTo("checkout");
  }

  @Test
  void retriedRequest_bothAttemptsUnderTheOneServerSpan() {
    // Round-robin over flaky-busy and the catalog: of two requests, one starts at the busy one, and is retried.
    // Each reads a product of its own: its first read, which Postgres answers.
    List<Traced> gets = List.of(send(http.request(HttpMethod.GET, "/api/flaky/products/" + created())),
        send(http.request(HttpMethod.GET, "/api/flaky/products/" + created())));
    assertThat(gets).allSatisfy(get -> assertThat(get.response.statusCode()).isEqualTo(200));
    List<List<SpanData>> attempts = gets.stream().map(get -> {
      List<SpanData> trace = traces.awaitTrace(get.traceId, hasPostgresUnderCatalog());
      SpanData server = only(trace, GatewayService.NAME, SpanKind.SERVER);
      List<SpanData> tries = of(trace, GatewayService.NAME, SpanKind.CLIENT);
      assertThat(tries).allSatisfy(attempt -> assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId()));
      return tries;
    }).toList();
    assertThat(attempts).extracting(List::size).containsExactlyInAnyOrder(1, 2);
    List<SpanData> retried = attempts.stream().filter(tries -> tries.size() == 2).findFirst().orElseThrow();
    List<SpanData> trace = traces.trace(retried.get(0).getTraceId());
    SpanData handler = only(trace, CatalogService.NAME, SpanKind.SERVER);
    SpanData answered = retried.stream().filter(a -> a.getSpanId().equals(handler.getParentSpanId())).findFirst()
        .orElseThrow();
    SpanData refused = retried.stream().filter(a -> a != answered).findFirst().orElseThrow();
    assertThat(refused.getAttributes().get(STATUS)).isEqualTo("503");
    assertThat(answered.getAttributes().get(STATUS)).isEqualTo("200");
    assertThat(refused.getEndEpochNanos()).isLessThanOrEqualTo(answered.getStartEpochNanos());
  }

  @Test
  void cacheCalls_areSpansOfTheCatalogHandler() {
    Traced post = send(http.request(HttpMethod.POST, "/api/catalog/products")
        .putHeader("Content-Type", "application/json"), newProduct().toBuffer());
    assertThat(post.response.statusCode()).isEqualTo(201);
    long id = post.response.bodyAsJsonObject().getLong("id");
    List<SpanData> created = traces.awaitTrace(post.traceId, trace -> !hazelcast(trace).isEmpty()
        && !of(trace, GatewayService.NAME, SpanKind.SERVER).isEmpty());
    SpanData handler = only(created, CatalogService.NAME, SpanKind.SERVER);
    assertThat(hazelcast(created)).extracting(SpanData::getName).contains("put products");
    assertThat(hazelcast(created)).allSatisfy(call -> {
      assertThat(call.getParentSpanId()).isEqualTo(handler.getSpanId());
      assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
    });
    assertThat(postgres(created)).extracting(SpanData::getParentSpanId).containsOnly(handler.getSpanId());
    // A first read of a product on an instance goes to Postgres; the next one there asks the shared map. Of three
    // reads over two instances, one is such a second.
    List<SpanData> claims = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Traced get = send(http.request(HttpMethod.GET, "/api/catalog/products/" + id));
      assertThat(get.response.statusCode()).isEqualTo(200);
      List<SpanData> trace = traces.awaitTrace(get.traceId,
          spans -> !of(spans, GatewayService.NAME, SpanKind.SERVER).isEmpty());
      SpanData read = only(trace, CatalogService.NAME, SpanKind.SERVER);
      hazelcast(trace).forEach(call -> {
        assertThat(call.getParentSpanId()).isEqualTo(read.getSpanId());
        claims.add(call);
      });
    }
    assertThat(claims).extracting(SpanData::getName).contains("claim products");
  }

  @Test
  void importBatches_carryTheUploadsTrace() {
    String run = "TRI-" + UUID.randomUUID();
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 8; i++) { // four batches
      lines.append(newProduct().put("sku", run + "-" + i).encode()).append('\n');
    }
    Traced upload = send(http.request(HttpMethod.POST, "/api/catalog/imports")
        .putHeader("Content-Type", "application/x-ndjson"), Buffer.buffer(lines.toString()));
    assertThat(upload.response.statusCode()).as(upload.response.bodyAsString()).isEqualTo(202);
    List<SpanData> trace = traces.awaitTrace(upload.traceId, spans -> spans.stream()
        .filter(span -> span.getName().equals("import batch") && span.hasEnded()).count() == 4);
    SpanData receiver = only(trace.stream().filter(span -> span.getName().equals("POST")).toList(),
        CatalogService.NAME, SpanKind.SERVER);
    List<SpanData> batches = trace.stream().filter(span -> span.getName().equals("import batch")).toList();
    Set<String> writers = new HashSet<>();
    for (SpanData batch : batches) {
      // The batch's message: sent while the upload was handled, received by a worker, which wrote it.
      SpanData received = byId(trace, batch.getParentSpanId());
      SpanData sent = byId(trace, received.getParentSpanId());
      assertThat(sent.getParentSpanId()).isEqualTo(receiver.getSpanId());
      assertThat(sent.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(received.getKind()).isEqualTo(SpanKind.SERVER); // a request over the event bus, as Vert.x sees it
      assertThat(List.of(sent, received)).extracting(span -> span.getAttributes().get(DESTINATION))
          .containsOnly("catalog.imports.batches");
      assertThat(trace).filteredOn(span -> span.getParentSpanId().equals(batch.getSpanId()))
          .extracting(span -> span.getAttributes().get(DB_SYSTEM)).contains("postgresql");
      writers.add(batch.getResource().getAttribute(INSTANCE));
    }
    // Round-robin over the two instances: batches went to both, across the cluster's event bus.
    assertThat(writers).containsExactlyInAnyOrder(catalog.config().instanceId(), catalogB.config().instanceId());
    // And each batch's events were relayed in a trace linked to the batch's.
    for (SpanData batch : batches) {
      traces.awaitSpan("the relay's span linked to " + batch, span -> relayed(span, batch));
    }
  }

  @Test
  void changeEvents_relayedInATraceLinkedToTheWrite() {
    Traced post = send(http.request(HttpMethod.POST, "/api/catalog/products")
        .putHeader("Content-Type", "application/json"), newProduct().toBuffer());
    assertThat(post.response.statusCode()).isEqualTo(201);
    SpanData writer = only(traces.awaitTrace(post.traceId,
        spans -> !of(spans, GatewayService.NAME, SpanKind.SERVER).isEmpty()), CatalogService.NAME, SpanKind.SERVER);

    // The outbox relay delivered the product's event in a trace of its own (one relay round serves many writes),
    // whose root links to the span that wrote it.
    SpanData relay = traces.awaitSpan("the relay's span linked to " + writer, span -> relayed(span, writer));
    assertThat(relay.getParentSpanContext().isValid()).as("a root").isFalse();
    assertThat(relay.getTraceId()).isNotEqualTo(post.traceId);
    // Under it, the shared cache's invalidation, and the event bus message to every catalog instance's streams.
    List<SpanData> delivery = traces.awaitTrace(relay.getTraceId(), spans -> received(spans).size() == 2);
    assertThat(hazelcast(delivery)).filteredOn(call -> call.getName().equals("invalidate products"))
        .singleElement().extracting(SpanData::getParentSpanId).isEqualTo(relay.getSpanId());
    SpanData published = delivery.stream().filter(span -> span.getKind() == SpanKind.CLIENT
        && EventStreams.ADDRESS.equals(span.getAttributes().get(DESTINATION))).findFirst().orElseThrow();
    assertThat(published.getParentSpanId()).isEqualTo(relay.getSpanId());
    assertThat(received(delivery)).allSatisfy(receiver ->
        assertThat(receiver.getParentSpanId()).isEqualTo(published.getSpanId()));
    assertThat(received(delivery)).extracting(span -> span.getResource().getAttribute(INSTANCE))
        .containsExactlyInAnyOrder(catalog.config().instanceId(), catalogB.config().instanceId());
  }

  /** Whether {@code span} is a relay round's, linked to {@code writer}. */
  private static boolean relayed(SpanData span, SpanData writer) {
    return span.getName().equals("outbox relay") && span.getLinks().stream()
        .anyMatch(link -> link.getSpanContext().getSpanId().equals(writer.getSpanId())
            && link.getSpanContext().getTraceId().equals(writer.getTraceId()));
  }

  /** The event bus deliveries of relayed events in {@code trace}. */
  private static List<SpanData> received(List<SpanData> trace) {
    return trace.stream().filter(span -> span.getKind() == SpanKind.SERVER
        && EventStreams.ADDRESS.equals(span.getAttributes().get(DESTINATION))).toList();
  }

  private static SpanData byId(List<SpanData> trace, String spanId) {
    return trace.stream().filter(span -> span.getSpanId().equals(spanId)).findFirst()
        .orElseThrow(() -> new AssertionError("no span " + spanId + " in " + trace));
  }

  private static List<SpanData> hazelcast(List<SpanData> trace) {
    return trace.stream().filter(span -> "hazelcast".equals(span.getAttributes().get(DB_SYSTEM))).toList();
  }

  private static JsonObject newProduct() {
    return new JsonObject().put("sku", "TR-" + UUID.randomUUID()).put("name", "Lamp").put("category", "tracing")
        .put("priceCents", 1999).put("currency", "EUR").put("stock", 5);
  }

  /** A new product, created through the gateway. */
  private static long created() {
    HttpResponse<Buffer> created = http.post("/api/catalog/products", newProduct());
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getLong("id");
  }

  /** A response, and the id of its trace, as the gateway's access log line for it says. */
  private record Traced(HttpResponse<Buffer> response, String traceId) {
  }

  private static Traced send(HttpRequest<Buffer> request) {
    return send(request, null);
  }

  private static Traced send(HttpRequest<Buffer> request, Buffer body) {
    String requestId = "tracing-" + UUID.randomUUID();
    try (CapturedLogs access = CapturedLogs.of("access")) {
      request.putHeader("X-Request-Id", requestId);
      HttpResponse<Buffer> response = await(body == null ? request.send() : request.sendBuffer(body));
      Waits.until("the access log line", Duration.ofSeconds(5), () ->
          access.lines().stream().anyMatch(event -> event.contains(requestId)));
      JsonObject line = new JsonObject(access.lines().stream().flatMap(String::lines)
          .filter(m -> m.contains(requestId)).findFirst().orElseThrow());
      assertThat(line.getString("traceId")).as(line.encode()).matches("[0-9a-f]{32}");
      return new Traced(response, line.getString("traceId"));
    }
  }

  private static Predicate<List<SpanData>> hasPostgresUnderCatalog() {
    // The gateway's span ends last, once the response is written.
    return trace -> !postgres(trace).isEmpty() && !of(trace, GatewayService.NAME, SpanKind.SERVER).isEmpty();
  }

  private static List<SpanData> postgres(List<SpanData> trace) {
    return trace.stream().filter(span -> "postgresql".equals(span.getAttributes().get(DB_SYSTEM))).toList();
  }

  private static List<SpanData> of(List<SpanData> trace, String service, SpanKind kind) {
    return trace.stream().filter(span -> service.equals(service(span)) && span.getKind() == kind).toList();
  }

  private static SpanData only(List<SpanData> trace, String service, SpanKind kind) {
    List<SpanData> spans = of(trace, service, kind);
    assertThat(spans).as("%s %s spans in %s", service, kind, trace).hasSize(1);
    return spans.get(0);
  }

  private static String hex(int digits) {
    StringBuilder hex = new StringBuilder();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < digits; i++) {
      hex.append(Character.forDigit(random.nextInt(16), 16));
    }
    return hex.toString();
  }
}
