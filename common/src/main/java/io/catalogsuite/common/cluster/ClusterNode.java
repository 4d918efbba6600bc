package io.catalogsuite.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.common.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A Vert.x node that is a member of the suite's Hazelcast cluster.
 *
 * <p>The static part of the Hazelcast configuration is {@code cluster.xml} (kept in {@code infra/hazelcast/});
 * the parts that differ per deployment (cluster name, members, address, port) come from {@link NodeConfig}.
 */
public final class ClusterNode {
  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
  }

  /**
   * Starts a clustered Vert.x and joins the cluster the configuration names. Vert.x reports its own metrics
   * (HTTP servers and clients, event bus, pools) and the JVM's into {@code metrics}.
   */
  public static Future<ClusterNode> join(NodeConfig node, MeterRegistry metrics) {
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcastConfig(node));
    return Vertx.builder()
        // A blocked event loop is a bug: its first warning carries the stack trace that shows where.
        .with(new VertxOptions()
            .setWarningExceptionTime(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME)
            .setWarningExceptionTimeUnit(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME_UNIT)
            .setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            // vertx-micrometer keeps registries in a JVM-wide map by name: a name per node keeps the metrics
            // of several nodes in one JVM (tests) apart.
            .setRegistryName("node-" + UUID.randomUUID())))
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .withClusterManager(clusterManager)
        .buildClustered()
        .map(vertx -> new ClusterNode(vertx, clusterManager));
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The Hazelcast member behind this node, for the cache maps and cluster membership. */
  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** This node's Vert.x id in the cluster (Vert.x 5 assigns it; it is not the Hazelcast member UUID). */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** Whether this node is still a member (false once it has left or lost the cluster). */
  public boolean active() {
    return clusterManager.isActive();
  }

  /**
   * Leaves the cluster and closes Vert.x. Safe to call from any thread, this node's event loops included:
   * closed from one of its own loops, Vert.x would complete the close on a loop it has just shut down, and the
   * returned future would never complete. So the close always starts from a thread outside Vert.x, and the
   * returned future is bound to no context (its listeners run on the thread that completes it).
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    ForkJoinPool.commonPool().execute(() -> vertx.close().onComplete(closed));
    return closed.future();
  }

  static Config hazelcastConfig(NodeConfig node) {
    Config config = ConfigUtil.loadConfig(); // cluster.xml from the classpath
    config.setClusterName(node.clusterName());
    config.getNetworkConfig().setPort(node.clusterPort()).setPortAutoIncrement(true);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    // Host names expand to all their addresses: a Compose service name means every replica.
    join.getTcpIpConfig().setEnabled(true).setMembers(JoinMembers.resolve(node.clusterMembers()));
    node.clusterHost().ifPresent(host -> {
      // Bind and advertise exactly this address; without it Hazelcast picks an interface of its own.
      config.setProperty("hazelcast.local.localAddress", host);
      config.setProperty("hazelcast.socket.bind.any", "false");
    });
    return config;
  }
}
