package io.catalogsuite.common.cluster;

import static io.catalogsuite.common.cluster.PingNodes.await;
import static io.catalogsuite.common.cluster.PingNodes.config;
import static io.catalogsuite.common.cluster.PingNodes.freePorts;
import static io.catalogsuite.common.cluster.PingNodes.ping;
import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.PingNodes.PingService;
import io.catalogsuite.common.config.ClusterJoin;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hazelcast's built-in Kubernetes discovery in DNS lookup mode, for real: a headless Service's name resolves to
 * every member's pod address, as {@code localhost} resolves to this machine's loopback here; members that know
 * only that name find each other and talk over the event bus. (With the 0 s wait before joining that the TCP-IP
 * join uses, Hazelcast's discovery never looks, and each member founds a cluster alone: this test then fails.)
 */
class KubernetesJoinTest {
  @Test
  void membersThatKnowOnlyTheServicesDnsName_formOneCluster() throws Exception {
    String cluster = "k8s-" + UUID.randomUUID();
    int port = freePorts(1).get(0); // what CLUSTER_PORT is in every pod; here the second member takes the next
    ClusterJoin join = new ClusterJoin.KubernetesDns("localhost");
    ServiceNode data = await(ServiceNode.start(config("data-1", cluster, join, port, Optional.empty()),
        new PingService("data", ClusterRole.DATA)));
    ServiceNode alpha = await(ServiceNode.start(config("alpha-1", cluster, join, port, Optional.empty()),
        new PingService("alpha", ClusterRole.LITE)));
    try {
      assertThat(alpha.cluster().hazelcast().getConfig().getNetworkConfig().getJoin().getTcpIpConfig().isEnabled())
          .isFalse();
      assertThat(alpha.cluster().hazelcast().getCluster().getMembers()).hasSize(2);
      assertThat(await(ping(alpha, "data"))).isEqualTo("pong");
      assertThat(await(ping(data, "alpha"))).isEqualTo("pong");
    } finally {
      for (ServiceNode node : List.of(alpha, data)) {
        await(node.stop());
      }
    }
  }
}
