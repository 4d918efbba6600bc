package io.catalogsuite.gateway;

import static io.catalogsuite.gateway.TestGateway.awaitInstances;
import static io.catalogsuite.gateway.TestGateway.freePort;
import static io.catalogsuite.gateway.TestGateway.publish;
import static io.catalogsuite.testing.TestHttp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.proxy.Resilience;
import io.catalogsuite.testing.EventStreamClient;
import io.catalogsuite.testing.PrometheusText;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.catalogsuite.testing.Waits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries, retry budget, timeouts, circuit breaker and graceful drain, each behind a real gateway in front of
 * real (small) HTTP servers published in discovery.
 */
class ResilienceIT {
  /** Health rules that stay out of the way: these tests are about what happens to single requests. */
  private static final String API_KEY = "resilience-it-" + java.util.UUID.randomUUID();
  private static final HealthPolicy LENIENT = new HealthPolicy(1_000, 1_000, 1_000, 50, 60_000, 100, 1, 0);

  private static ServiceNode retrying;
  private static ServiceNode breaking;
  private static TestHttp retryingHttp;
  private static TestHttp breakingHttp;
  private static String cluster;
  private static ServiceNode cache;
  private static Vertx stubs;
  /** Requests each stub received, by stub name. */
  private static final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    cluster = TestNodes.uniqueClusterName();
    cache = TestGateway.startCache(cluster);
    stubs = Vertx.vertx();
    // Retries: up to 2, a 20 % budget with at least 10 per window; timeouts: 300 ms on /api/quick.
    retrying = gateway("gw-retrying", List.of("/api/retry=retry-service", "/api/post=post-service",
            "/api/budget=budget-service", "/api/stream=stream-service", "/api/streamdead=stream-dead-service",
            "/api/quick=lazy-service", "/api/patient=lazy-service"), Map.of("/api/quick", 300),
        new Resilience(2, 5, 20, 20, 10, 1_000_000, 10_000, 10_000));
    // A breaker that opens after 3 failures and probes again after 500 ms; no retries.
    breaking = gateway("gw-breaking", List.of("/api/fragile=fragile-service", "/api/buggy=buggy-service"), Map.of(),
        new Resilience(0, 5, 20, 20, 10, 3, 10_000, 500));
    retryingHttp = new TestHttp(retrying.port(), Map.of("X-API-Key", API_KEY));
    breakingHttp = new TestHttp(breaking.port(), Map.of("X-API-Key", API_KEY));
  }

  @AfterAll
  static void stop() {
    retryingHttp.close();
    breakingHttp.close();
    await(breaking.stop());
    await(retrying.stop());
    await(stubs.close());
    await(cache.stop());
  }

  static ServiceNode gateway(String id, List<String> routes, Map<String, Integer> timeouts, Resilience resilience) {
    GatewayConfig config = new GatewayConfig(GatewayConfig.routes(routes), 2_000, 1_000, 1024 * 1024,
        Set.of("application/x-ndjson"), LENIENT, Map.of(), Map.of(), timeouts, resilience,
        new GatewayConfig.ClientLimits(8192, 30, true, List.of()), GatewayConfig.StreamLimits.DEFAULT);
    return TestGateway.start(cluster, id, config, "resilience-it", API_KEY);
  }

  /** A real server: answers {@code status} after {@code delayMs}, counting what it receives. */
  static int stub(String name, AtomicInteger status, long delayMs) {
    received.put(name, new AtomicInteger());
    return await(stubs.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) {
        req.response().end();
        return;
      }
      received.get(name).incrementAndGet();
      Future<Void> wait = delayMs == 0 ? Future.succeededFuture() : stubs.timer(delayMs);
      wait.onComplete(v -> req.response().putHeader("X-Instance-Id", name).setStatusCode(status.get()).end(name));
    }).listen(0, "127.0.0.1")).actualPort();
  }

  static double metric(TestHttp http, String name, String... labels) {
    return PrometheusText.sample(http.get("/metrics").bodyAsString(), name, labels);
  }

  @Test
  void retry_neverToTheInstanceThatFailed() {
    publish(retrying, "retry-service", "retry-503", stub("retry-503", new AtomicInteger(503), 0));
    publish(retrying, "retry-service", "retry-ok", stub("retry-ok", new AtomicInteger(200), 0));
    awaitInstances(retryingHttp, "retry-service", 2);
    for (int i = 0; i < 8; i++) {
      HttpResponse<Buffer> response = retryingHttp.get("/api/retry/x");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("X-Instance-Id")).isEqualTo("retry-ok");
    }
    // Round-robin sends every other first attempt to retry-503; its retry always goes to the other one.
    assertThat(received.get("retry-503").get()).isEqualTo(4);
    assertThat(received.get("retry-ok").get()).isEqualTo(8);
    assertThat(metric(retryingHttp, "gateway_retries_total", "service=\"retry-service\"")).isEqualTo(4);
  }

  @Test
  void retry_postIsNeverRetried() {
    publish(retrying, "post-service", "post-503", stub("post-503", new AtomicInteger(503), 0));
    publish(retrying, "post-service", "post-ok", stub("post-ok", new AtomicInteger(200), 0));
    awaitInstances(retryingHttp, "post-service", 2);
    int served503 = 0;
    for (int i = 0; i < 4; i++) {
      served503 += await(retryingHttp.request(HttpMethod.POST, "/api/post/x").send()).statusCode() == 503 ? 1 : 0;
    }
    assertThat(served503).isEqualTo(2); // the upstream's own 503, relayed
  }

  @Test
  void retry_streamedBodyIsNeverRetried() {
    publish(retrying, "stream-service", "stream-503", stub("stream-503", new AtomicInteger(503), 0));
    publish(retrying, "stream-service", "stream-ok", stub("stream-ok", new AtomicInteger(200), 0));
    awaitInstances(retryingHttp, "stream-service", 2);
    Map<Integer, Integer> statuses = new HashMap<>();
    // POST is never retried anyway; PUT would be if its body were buffered (see retry_neverToTheInstanceThatFailed).
    for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT)) {
      for (int i = 0; i < 4; i++) {
        statuses.merge(streamed(method, "/api/stream/imports").statusCode(), 1, Integer::sum);
      }
    }
    assertThat(statuses).containsOnly(Map.entry(503, 4), Map.entry(200, 4)); // the instance's own 503, relayed
    assertThat(received.get("stream-503").get() + received.get("stream-ok").get()).isEqualTo(8); // one each
  }

  @Test
  void streamedBody_connectionFailure_502_notRetried() {
    publish(retrying, "stream-dead-service", "stream-dead", freePort());
    publish(retrying, "stream-dead-service", "stream-live", stub("stream-live", new AtomicInteger(200), 0));
    awaitInstances(retryingHttp, "stream-dead-service", 2);
    HttpResponse<Buffer> first = streamed(HttpMethod.PUT, "/api/streamdead/imports");
    HttpResponse<Buffer> second = streamed(HttpMethod.PUT, "/api/streamdead/imports");
    // Round-robin sends one of the two to the dead instance; that one is not retried on the live one.
    HttpResponse<Buffer> failed = first.statusCode() == 502 ? first : second;
    assertThat(List.of(first.statusCode(), second.statusCode())).containsExactlyInAnyOrder(200, 502);
    assertThat(failed.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(failed.bodyAsJsonObject().getString("detail")).contains("stream-dead");
    assertThat(received.get("stream-live").get()).isEqualTo(1);
  }

  /** A request whose body the gateway streams (NDJSON) rather than buffers. */
  private static HttpResponse<Buffer> streamed(HttpMethod method, String path) {
    return retryingHttp.send(method, path, "application/x-ndjson", Buffer.buffer("{\"sku\":\"A-1\"}\n"));
  }

  @Test
  void retryBudget_capsRetriesAtTheShare() {
    for (int i = 0; i < 3; i++) {
      publish(retrying, "budget-service", "busy-" + i, stub("busy-" + i, new AtomicInteger(503), 0));
    }
    awaitInstances(retryingHttp, "budget-service", 3);
    for (int i = 0; i < 100; i++) {
      assertThat(retryingHttp.get("/api/budget/x").statusCode()).isEqualTo(503);
    }
    // Every request wanted 2 retries; the budget allows max(10, 20 % of 100 requests) = 20.
    assertThat(metric(retryingHttp, "gateway_retries_total", "service=\"budget-service\"")).isEqualTo(20);
    assertThat(metric(retryingHttp, "gateway_retry_budget_exhausted_total", "service=\"budget-service\""))
        .isGreaterThanOrEqualTo(80);
    int received = 0;
    for (int i = 0; i < 3; i++) {
      received += ResilienceIT.received.get("busy-" + i).get();
    }
    assertThat(received).isEqualTo(120);
  }

  @Test
  void routeTimeout_504_onlyWhereItIsShort() {
    publish(retrying, "lazy-service", "lazy", stub("lazy", new AtomicInteger(200), 600));
    awaitInstances(retryingHttp, "lazy-service", 1);
    HttpResponse<Buffer> quick = retryingHttp.get("/api/quick/x");
    assertThat(quick.statusCode()).isEqualTo(504);
    assertThat(quick.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(retryingHttp.get("/api/patient/x").statusCode()).isEqualTo(200);
  }

  @Test
  void circuitBreaker_opensFailsFast_halfOpens_andCloses() {
    AtomicInteger status = new AtomicInteger(503);
    publish(breaking, "fragile-service", "fragile", stub("fragile", status, 0));
    awaitInstances(breakingHttp, "fragile-service", 1);
    for (int i = 0; i < 3; i++) {
      assertThat(breakingHttp.get("/api/fragile/x").statusCode()).isEqualTo(503);
    }
    HttpResponse<Buffer> open = breakingHttp.get("/api/fragile/x");
    assertThat(open.statusCode()).isEqualTo(503);
    assertThat(open.getHeader("Retry-After")).isEqualTo("1");
    assertThat(open.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(received.get("fragile").get()).isEqualTo(3); // failed fast: the instance was not asked
    assertThat(breakingHttp.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
        .getJsonObject("fragile-service").getString("circuitBreaker")).isEqualTo("open");
    assertThat(metric(breakingHttp, "gateway_circuit_breaker_state", "service=\"fragile-service\"")).isEqualTo(2);

    status.set(200); // the service recovers; after the reset time one probe request closes the breaker
    breakingHttp.awaitResponse("/api/fragile/x", r -> r.statusCode() == 200, Duration.ofSeconds(10));
    assertThat(breakingHttp.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
        .getJsonObject("fragile-service").getString("circuitBreaker")).isEqualTo("closed");
    assertThat(breakingHttp.get("/api/fragile/x").statusCode()).isEqualTo(200);
  }

  /**
   * A 500 is what one client's request can cause (a bug it triggers): it must not open the breaker for every
   * client. Before, about 20 such requests within 10 s shut a service off for everyone.
   */
  @Test
  void circuitBreaker_ignores500s() {
    AtomicInteger status = new AtomicInteger(500);
    publish(breaking, "buggy-service", "buggy", stub("buggy", status, 0));
    awaitInstances(breakingHttp, "buggy-service", 1);
    for (int i = 0; i < 10; i++) { // the breaker opens after 3 failures
      assertThat(breakingHttp.get("/api/buggy/x").statusCode()).isEqualTo(500);
    }
    assertThat(received.get("buggy").get()).isEqualTo(10); // every one reached the instance
    assertThat(breakingHttp.get("/admin/services").bodyAsJsonObject().getJsonObject("services")
        .getJsonObject("buggy-service").getString("circuitBreaker")).isEqualTo("closed");
    status.set(200);
    assertThat(breakingHttp.get("/api/buggy/x").statusCode()).isEqualTo(200);
  }

  @Test
  void gracefulStop_finishesRequestsInFlight() {
    ServiceNode draining = gateway("gw-draining", List.of("/api/drain=drain-service"), Map.of(),
        new Resilience(0, 5, 20, 20, 10, 1_000_000, 10_000, 10_000));
    TestHttp http = new TestHttp(draining.port(), Map.of("X-API-Key", API_KEY));
    try {
      publish(draining, "drain-service", "drained", stub("drained", new AtomicInteger(200), 600));
      awaitInstances(http, "drain-service", 1);
      List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        inFlight.add(http.request(HttpMethod.GET, "/api/drain/x").send());
      }
      Waits.until("10 requests in flight", Duration.ofSeconds(10), () -> received.get("drained").get() == 10);
      AtomicBoolean stopped = new AtomicBoolean();
      draining.stop().onComplete(v -> stopped.set(true));
      List<HttpResponse<Buffer>> responses = await(Future.all(inFlight)).list();
      assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
      Waits.until("the gateway to stop", Duration.ofSeconds(20), stopped::get);
    } finally {
      http.close();
    }
  }

  /**
   * An event stream never ends by itself: a gateway stopping gracefully must not wait it out. (Undeploying the
   * proxy closes its HTTP client, and with it the upstream stream; the client reconnects elsewhere.)
   */
  @Test
  void gracefulStop_cutsEventStreams() {
    ServiceNode stopping = gateway("gw-streams", List.of("/api/sse=sse-service"), Map.of(),
        new Resilience(0, 5, 20, 20, 10, 1_000_000, 10_000, 10_000));
    TestHttp http = new TestHttp(stopping.port(), Map.of("X-API-Key", API_KEY));
    int port = await(stubs.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/health")) {
        req.response().end();
        return;
      }
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .write("id: 1\ndata: {}\n\n"); // and never ends
    }).listen(0, "127.0.0.1")).actualPort();
    publish(stopping, "sse-service", "streaming", port);
    awaitInstances(http, "sse-service", 1);
    try (EventStreamClient events = EventStreamClient.open(
        "http://127.0.0.1:" + stopping.port() + "/api/sse/events", Map.of("X-API-Key", API_KEY))) {
      assertThat(events.take(1).get(0).id()).isEqualTo("1");

      AtomicBoolean stopped = new AtomicBoolean();
      stopping.stop().onComplete(v -> stopped.set(true));
      // Well within the 10 s that a graceful stop waits for responses in flight.
      Waits.until("the gateway to stop", Duration.ofSeconds(5), stopped::get);
    } finally {
      http.close();
    }
  }
}
