package io.catalogsuite.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  @Test
  void fromEnv_defaults() {
    NodeConfig config = NodeConfig.fromEnv("catalog-service", 0, Map.of());
    assertThat(config.httpPort()).isZero();
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.instanceId()).startsWith("catalog-service-");
    assertThat(config.clusterName()).isEqualTo("catalog-suite");
    assertThat(config.clusterJoin()).isEqualTo(new ClusterJoin.TcpIp(List.of("127.0.0.1")));
    assertThat(config.clusterHost()).isEqualTo(new ClusterHost.Address("127.0.0.1"));
    assertThat(config.publicHost()).isEmpty();
  }

  @Test
  void fromEnv_values() {
    NodeConfig config = NodeConfig.fromEnv("gateway", 8080, Map.of("HTTP_PORT", "9000", "INSTANCE_ID", "gw-1",
        "CLUSTER_MEMBERS", "a, b:5702,,", "CLUSTER_HOST", "auto", "PUBLIC_HOST", "10.0.0.5"));
    assertThat(config.httpPort()).isEqualTo(9000);
    assertThat(config.instanceId()).isEqualTo("gw-1");
    assertThat(config.clusterJoin()).isEqualTo(new ClusterJoin.TcpIp(List.of("a", "b:5702")));
    assertThat(config.clusterHost()).isEqualTo(new ClusterHost.Auto());
    assertThat(config.publicHost()).isEqualTo(Optional.of("10.0.0.5"));
  }

  @Test
  void fromEnv_invalidPort_failsFastNamingTheVariable() {
    assertThatThrownBy(() -> NodeConfig.fromEnv("gateway", 8080, Map.of("HTTP_PORT", "80a")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("HTTP_PORT must be an integer from 0 to 65535, got '80a'");
    assertThatThrownBy(() -> NodeConfig.fromEnv("gateway", 8080, Map.of("HTTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void clusterHost_anAddressAHostNameOrAnInterfacePattern() {
    assertThat(NodeConfig.fromEnv("gateway", 8080, Map.of("CLUSTER_HOST", "10.231.0.*")).clusterHost())
        .isEqualTo(new ClusterHost.InterfacePattern("10.231.0.*"));
    assertThat(ClusterHost.parse("10.231.0-3.10-200")).isEqualTo(new ClusterHost.InterfacePattern("10.231.0-3.10-200"));
    assertThat(ClusterHost.parse("cache-service-1")).isEqualTo(new ClusterHost.Address("cache-service-1"));
    assertThat(ClusterHost.parse("10.0.0.5")).isEqualTo(new ClusterHost.Address("10.0.0.5"));
    assertThat(ClusterHost.parse("AUTO")).isEqualTo(new ClusterHost.Auto());
    assertThatThrownBy(() -> NodeConfig.fromEnv("gateway", 8080, Map.of("CLUSTER_HOST", "10.*")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_HOST");
  }

  enum Colour { RED, DARK_BLUE }

  @Test
  void env_choice() {
    assertThat(Env.of(Map.of("C", "dark-blue")).choice("C", Colour.class, Colour.RED)).isEqualTo(Colour.DARK_BLUE);
    assertThat(Env.of(Map.of()).choice("C", Colour.class, Colour.RED)).isEqualTo(Colour.RED);
    assertThatThrownBy(() -> Env.of(Map.of("C", "green")).choice("C", Colour.class, Colour.RED))
        .hasMessageContaining("C must be one of [RED, DARK_BLUE]");
  }

  @Test
  void kubernetesDiscovery_byTheHeadlessServicesName_notWithAMemberList() {
    NodeConfig config = NodeConfig.fromEnv("gateway", 8080,
        Map.of("CLUSTER_KUBERNETES_SERVICE_DNS", "catalog-suite-hazelcast.shop.svc.cluster.local"));
    assertThat(config.clusterJoin())
        .isEqualTo(new ClusterJoin.KubernetesDns("catalog-suite-hazelcast.shop.svc.cluster.local"));
    assertThatThrownBy(() -> NodeConfig.fromEnv("gateway", 8080,
        Map.of("CLUSTER_KUBERNETES_SERVICE_DNS", "hz", "CLUSTER_MEMBERS", "a,b")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> NodeConfig.fromEnv("gateway", 8080,
        Map.of("CLUSTER_KUBERNETES_SERVICE_DNS", "hz svc")))
        .hasMessageContaining("CLUSTER_KUBERNETES_SERVICE_DNS must be a DNS name");
  }
}
