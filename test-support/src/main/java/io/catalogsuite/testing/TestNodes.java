package io.catalogsuite.testing;

import io.catalogsuite.common.config.ClusterHost;
import io.catalogsuite.common.config.ClusterJoin;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.config.TracingConfig;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Node configurations for tests: loopback, a free HTTP port, a cluster name no other test shares, and no
 * drain delay on stop (a test that is about draining sets one).
 */
public final class TestNodes {
  private TestNodes() {
  }

  /** A cluster name unique to the calling test, so concurrent or leftover nodes never join it. */
  public static String uniqueClusterName() {
    return "test-" + UUID.randomUUID();
  }

  public static NodeConfig config(String serviceName, String clusterName) {
    return config(serviceName, clusterName, serviceName + "-" + UUID.randomUUID().toString().substring(0, 6));
  }

  public static NodeConfig config(String serviceName, String clusterName, String instanceId) {
    return new NodeConfig(serviceName, instanceId, "127.0.0.1", 0, 1, HttpTimeouts.DEFAULTS, Optional.of("127.0.0.1"), clusterName,
        new ClusterJoin.TcpIp(List.of("127.0.0.1")), new ClusterHost.Address("127.0.0.1"), 5701, 1, 0, 30, Optional.empty(),
        Optional.empty(), TracingConfig.off(serviceName));
  }
}
