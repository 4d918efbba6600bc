package io.catalogsuite.common.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.common.config.NodeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Vert.x node that is a member of the suite's Hazelcast cluster, in the role its service has
 * ({@link ClusterRole}).
 *
 * <p>The static part of the Hazelcast configuration is {@code cluster.xml} (kept in {@code infra/hazelcast/});
 * the parts that differ per deployment (cluster name, members, address, port) come from {@link NodeConfig}. Every
 * member carries its service's name as the member attribute {@value #SERVICE_ATTRIBUTE}, so that members can tell
 * which of the others are, say, catalog-service instances.
 *
 * <p>The node starts its Hazelcast member itself, before Vert.x: a lite member waits there until a data member is
 * in the cluster, since Vert.x's clustering stores its state (node information, event-bus subscriptions) in maps
 * that only data members can hold.
 */
public final class ClusterNode {
  /** The member attribute naming the member's service, e.g. {@code catalog-service}. */
  public static final String SERVICE_ATTRIBUTE = "catalog-suite.service";
  /**
   * Vert.x's own member attribute: the node id it gives each node (not the Hazelcast member UUID), which event-bus
   * addresses and discovery records name.
   */
  public static final String VERTX_NODE_ID = "__vertx.nodeId";
  private static final long DATA_MEMBER_POLL_MS = 100;
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final HazelcastClusterManager clusterManager;

  private ClusterNode(Vertx vertx, HazelcastInstance hazelcast, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.clusterManager = clusterManager;
  }

  /**
   * Joins the cluster the configuration names, in {@code role}, and starts a clustered Vert.x on that member.
   * {@code customizer} adds what the service needs to the member's configuration. Vert.x reports its own
   * metrics (HTTP servers and clients, event bus, pools) and the JVM's into {@code metrics}. A lite member fails
   * to start when no data member has joined within {@link NodeConfig#cacheWaitSeconds()}.
   */
  public static Future<ClusterNode> join(NodeConfig node, ClusterRole role, Consumer<Config> customizer,
      MeterRegistry metrics) {
    Promise<HazelcastInstance> member = Promise.promise();
    // Joining blocks for seconds, and no Vert.x exists yet to lend a worker: one thread, once per process.
    new Thread(() -> {
      try {
        Config config = hazelcastConfig(node, role);
        customizer.accept(config);
        member.complete(startMember(config, node));
      } catch (RuntimeException e) {
        member.fail(e);
      }
    }, "cluster-join").start();
    return member.future().compose(hazelcast -> {
      HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcast);
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
          .map(vertx -> new ClusterNode(vertx, hazelcast, clusterManager))
          .onFailure(e -> hazelcast.shutdown());
    });
  }

  /** Starts the Hazelcast member; a lite one returns once a data member is in the cluster. Blocking. */
  private static HazelcastInstance startMember(Config config, NodeConfig node) {
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(node.cacheWaitSeconds());
    boolean waited = false;
    while (!hasDataMember(hazelcast)) {
      if (System.nanoTime() - deadline > 0) {
        hazelcast.shutdown();
        throw new IllegalStateException("no cache-service member joined the cluster '" + node.clusterName()
            + "' within " + node.cacheWaitSeconds() + " s (CACHE_WAIT_SECONDS); cache-service holds the cluster's"
            + " data and must run first");
      }
      if (!waited) {
        log.info("Waiting for a cache-service member: it holds the cluster's data");
        waited = true;
      }
      try {
        Thread.sleep(DATA_MEMBER_POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        hazelcast.shutdown();
        throw new IllegalStateException("interrupted while waiting for a cache-service member", e);
      }
    }
    return hazelcast;
  }

  /** Whether a member that holds data (a cache-service instance) is in the cluster now. */
  public static boolean hasDataMember(HazelcastInstance hazelcast) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.isLiteMember()) {
        return true;
      }
    }
    return false;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The Hazelcast member behind this node, for the cache maps and cluster membership. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
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
   * returned future is bound to no context (its listeners run on the thread that completes it). The Hazelcast
   * member is this node's own, so it goes last.
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    ForkJoinPool.commonPool().execute(() -> vertx.close().onComplete(result -> {
      hazelcast.shutdown();
      closed.handle(result);
    }));
    return closed.future();
  }

  static Config hazelcastConfig(NodeConfig node, ClusterRole role) {
    Config config = ConfigUtil.loadConfig(); // cluster.xml from the classpath
    config.setClusterName(node.clusterName());
    config.setLiteMember(role == ClusterRole.LITE);
    config.getMemberAttributeConfig()
        .setAttribute(SERVICE_ATTRIBUTE, node.serviceName())
        // What Vert.x sets when it starts the member itself.
        .setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
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
