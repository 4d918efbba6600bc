package io.catalogsuite.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void fromEnv_defaults() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of());
    assertThat(config.routes()).containsExactly(new GatewayConfig.Route("/api/catalog", "catalog-service"),
        new GatewayConfig.Route("/api/cache", "cache-service"));
    assertThat(config.upstreamTimeoutMs()).isEqualTo(10_000);
  }

  @Test
  void streamedTypes_defaultNdjson_parametersAndCaseIgnored() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of());
    assertThat(config.streamedTypes()).containsExactly("application/x-ndjson");
    assertThat(config.streams("application/x-ndjson")).isTrue();
    assertThat(config.streams("Application/X-NDJSON; charset=utf-8")).isTrue();
    assertThat(config.streams("application/json")).isFalse();
    assertThat(config.streams(null)).isFalse();
  }

  @Test
  void streamedTypes_custom_orNone() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of("GATEWAY_STREAMED_TYPES",
        "application/x-ndjson, Text/CSV,application/vnd.example.events+json"));
    assertThat(config.streamedTypes())
        .containsExactlyInAnyOrder("application/x-ndjson", "text/csv", "application/vnd.example.events+json");
    assertThat(config.streams("text/csv;header=present")).isTrue();
    GatewayConfig none = GatewayConfig.fromEnv(Map.of("GATEWAY_STREAMED_TYPES", "none"));
    assertThat(none.streamedTypes()).isEmpty();
    assertThat(none.streams("application/x-ndjson")).isFalse();
  }

  @Test
  void streamedTypes_invalid_failFast() {
    for (String invalid : List.of("ndjson", "application/*", "*/*", "application/x-ndjson; charset=utf-8",
        "application/x-ndjson,none", "application/", "/x-ndjson", "text/plain text", ",")) {
      assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_STREAMED_TYPES", invalid)))
          .as(invalid).isInstanceOf(ConfigException.class).hasMessageContaining("GATEWAY_STREAMED_TYPES");
    }
  }

  @Test
  void routes_parsed() {
    assertThat(GatewayConfig.routes(List.of("/v1/shop=shop", " /x = x-svc ")))
        .containsExactly(new GatewayConfig.Route("/v1/shop", "shop"), new GatewayConfig.Route("/x", "x-svc"));
  }

  @Test
  void balancingAndWeights_parsed() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of(
        "GATEWAY_BALANCING", "catalog-service=least-requests, cache-service=consistent-hash:X-User-Id",
        "GATEWAY_WEIGHTS", "catalog-1=3,catalog-2=1"));
    assertThat(config.balancingOf("catalog-service"))
        .isEqualTo(new GatewayConfig.Balancing(io.catalogsuite.gateway.balance.Strategy.LEAST_REQUESTS, null));
    assertThat(config.balancingOf("cache-service").hashHeader()).isEqualTo("X-User-Id");
    assertThat(config.balancingOf("other").strategy())
        .isEqualTo(io.catalogsuite.gateway.balance.Strategy.ROUND_ROBIN);
    assertThat(config.weights()).containsEntry("catalog-1", 3).containsEntry("catalog-2", 1);
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_BALANCING", "x=random:H")))
        .hasMessageContaining("only consistent-hash takes a header");
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_WEIGHTS", "a=0")))
        .hasMessageContaining("GATEWAY_WEIGHTS");
  }

  @Test
  void routeTimeoutsAndResilience_parsed() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of("ROUTE_TIMEOUTS", "/api/catalog=2500",
        "RETRY_MAX", "3", "RETRY_BUDGET_PERCENT", "10", "BREAKER_MAX_FAILURES", "7"));
    assertThat(config.timeoutOf(config.routes().get(0))).isEqualTo(2_500);
    assertThat(config.timeoutOf(config.routes().get(1))).isEqualTo(10_000);
    assertThat(config.resilience().maxRetries()).isEqualTo(3);
    assertThat(config.resilience().budgetPercent()).isEqualTo(10);
    assertThat(config.resilience().breakerMaxFailures()).isEqualTo(7);
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("ROUTE_TIMEOUTS", "/api/catalog=0")))
        .hasMessageContaining("ROUTE_TIMEOUTS");
  }

  @Test
  void backoff_exponentialWithFullJitter_capped() {
    var resilience = GatewayConfig.fromEnv(Map.of("RETRY_BACKOFF_MS", "25", "RETRY_BACKOFF_MAX_MS", "150"))
        .resilience();
    assertThat(resilience.backoffMs(0, 0.0)).isZero();
    assertThat(resilience.backoffMs(0, 0.999)).isEqualTo(24);
    assertThat(resilience.backoffMs(1, 0.5)).isEqualTo(25);
    assertThat(resilience.backoffMs(2, 0.999)).isEqualTo(99);
    assertThat(resilience.backoffMs(10, 0.999)).isEqualTo(149);
  }

  @Test
  void routes_invalid_failFast() {
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api/catalog"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("api=svc"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api/=svc"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api=s v c"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("UPSTREAM_TIMEOUT_MS", "0")))
        .hasMessageContaining("UPSTREAM_TIMEOUT_MS");
  }

  /** A request goes to one route: none lies under another, or under what the gateway serves itself. */
  @Test
  void routes_thatOverlap_failFast() {
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api=a", "/api/catalog=catalog-service")))
        .isInstanceOf(ConfigException.class).hasMessage("GATEWAY_ROUTES: '/api/catalog' lies under '/api': a request"
            + " to it would match both");
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api/catalog=a", "/api/catalog=b")))
        .hasMessageContaining("'/api/catalog' lies under '/api/catalog'");
    for (String own : List.of("/admin", "/admin/x", "/docs", "/health", "/metrics", "/openapi.json")) {
      assertThatThrownBy(() -> GatewayConfig.routes(List.of(own + "=svc")))
          .hasMessageStartingWith("GATEWAY_ROUTES: '" + own + "' lies under the gateway's own /");
    }
    // Segment by segment: neither is below the other.
    assertThat(GatewayConfig.routes(List.of("/api/catalog=a", "/api/catalogue=b", "/administration=c")))
        .extracting(GatewayConfig.Route::prefix).containsExactly("/api/catalog", "/api/catalogue", "/administration");
  }

  /** A name that matches nothing would be ignored: each is refused at start, with what would have matched. */
  @Test
  void typos_failFast_namingTheVariableAndWhatIsAllowed() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_BALANCING", "catalgo-service=random")))
        .hasMessageContaining("GATEWAY_BALANCING").hasMessageContaining("catalgo-service")
        .hasMessageContaining("catalog-service");
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("ROUTE_TIMEOUTS", "/api/catalgo=500")))
        .hasMessageContaining("ROUTE_TIMEOUTS").hasMessageContaining("/api/catalgo")
        .hasMessageContaining("/api/catalog");
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_WEIGHTS", "catalog 1=2")))
        .hasMessageContaining("GATEWAY_WEIGHTS").hasMessageContaining("catalog 1");
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("GATEWAY_COMPRESSION", "yes")))
        .hasMessageContaining("GATEWAY_COMPRESSION must be true or false, got 'yes'");
    assertThat(GatewayConfig.fromEnv(Map.of("GATEWAY_COMPRESSION", "FALSE")).clients().compression())
        .isFalse();
  }

  @Test
  void settingsThatContradictEachOther_failFast() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("EJECT_BASE_MS", "70000")))
        .hasMessageContaining("EJECT_BASE_MS (70000) must not exceed EJECT_MAX_MS (60000)");
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("RETRY_BACKOFF_MS", "500")))
        .hasMessageContaining("RETRY_BACKOFF_MS (500) must not exceed RETRY_BACKOFF_MAX_MS (250)");
    assertThat(GatewayConfig.fromEnv(Map.of("EJECT_BASE_MS", "70000", "EJECT_MAX_MS", "70000")).health()
        .ejectBaseMs()).isEqualTo(70_000);
  }
}
