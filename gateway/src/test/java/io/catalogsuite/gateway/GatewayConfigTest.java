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
  void routes_invalid_failFast() {
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api/catalog"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("api=svc"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api/=svc"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.routes(List.of("/api=s v c"))).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of("UPSTREAM_TIMEOUT_MS", "0")))
        .hasMessageContaining("UPSTREAM_TIMEOUT_MS");
  }
}
