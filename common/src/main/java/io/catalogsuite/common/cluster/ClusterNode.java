package io.catalogsuite.common.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.catalogsuite.common.config.ClusterHost;
import io.catalogsuite.common.config.ClusterJoin;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 *
 * <p>That state lives on the data members alone: when the last one leaves, it is gone, and a data member that
 * joins later finds empty maps. Each node then puts back what it owns ({@link #onDataReturned}).
 */
public final class ClusterNode {
  /** The member attribute naming the member's service, e.g. {@code catalog-service}. */
  public static final String SERVICE_ATTRIBUTE = "catalog-suite.service";
  /** The host a member serves HTTP on when it is not its cluster address ({@code PUBLIC_HOST}). */
  public static final String HTTP_HOST_ATTRIBUTE = "catalog-suite.http-host";
  /**
   * Vert.x's own member attribute: the node id it gives each node (not the Hazelcast member UUID), which event-bus
   * addresses and discovery records name.
   */
  public static final String VERTX_NODE_ID = "__vertx.nodeId";
  private static final long DATA_MEMBER_POLL_MS = 100;
  private static final int MAX_RESTORE_ATTEMPTS = 60;
  private static final long RESTORE_RETRY_MS = 1000;
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final HazelcastClusterManager clusterManager;
  private final Tracing tracing;
  private final List<Supplier<Future<?>>> restorers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean dataLost = new AtomicBoolean();

  private ClusterNode(Vertx vertx, HazelcastInstance hazelcast, HazelcastClusterManager clusterManager,
      Tracing tracing) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.clusterManager = clusterManager;
    this.tracing = tracing;
    hazelcast.getCluster().addMembershipListener(new DataWatch());
  }

  /**
   * Runs {@code restore} whenever a data member joins a cluster that had none left: the cluster's shared state
   * (Vert.x's node record and event-bus subscriptions, discovery records, locks, counters) was on the data members
   * alone and is gone, so what this node owns must be put back. Vert.x's own records are put back before
   * {@code restore} runs. Should any of it fail (the new member's partitions not yet assigned, say), all of it is
   * tried again a second later, so {@code restore} must be safe to repeat.
   */
  public void onDataReturned(Supplier<Future<?>> restore) {
    restorers.add(restore);
  }

  private void restore(int attempt) {
    vertx.executeBlocking(() -> {
      // What Vert.x does itself after a split-brain merge, when maps may have lost entries: it writes its node
      // record and its own subscriptions again.
      clusterManager.stateChanged(new LifecycleEvent(LifecycleEvent.LifecycleState.MERGED));
      return null;
    }).compose(v -> Future.all(restorers.stream().map(Supplier::get).toList())).onFailure(e -> {
      if (attempt < MAX_RESTORE_ATTEMPTS && active() && hasDataMember(hazelcast)) {
        log.warn("Could not put back this node's records yet ({}); trying again", e.toString());
        vertx.setTimer(RESTORE_RETRY_MS, timer -> restore(attempt + 1));
      } else {
        log.error("Could not put back this node's event-bus subscriptions and records", e);
      }
    });
  }

  /** Notices when the last data member leaves, and when one returns. */
  private final class DataWatch implements MembershipListener {
    @Override
    public void memberRemoved(MembershipEvent event) {
      boolean dataLeft = event.getMembers().stream().anyMatch(member -> !member.isLiteMember());
      if (!event.getMember().isLiteMember() && !dataLeft && dataLost.compareAndSet(false, true)) {
        log.warn("The last cache-service member left: the cluster's shared state (event-bus subscriptions,"
            + " discovery records, locks) is gone until one returns");
      }
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      if (!event.getMember().isLiteMember() && dataLost.compareAndSet(true, false)) {
        log.info("A cache-service member joined: putting back this node's event-bus subscriptions and records");
        restore(1);
      }
    }
  }

  /**
   * Joins the cluster the configuration names, in {@code role}, and starts a clustered Vert.x on that member.
   * {@code customizer} adds what the service needs to the member's configuration. Vert.x reports its own
   * metrics (HTTP servers and clients, event bus, pools) and the JVM's into {@code metrics}. A lite member fails
   * to start when no data member has joined within {@link NodeConfig#cacheWaitSeconds()}. A node whose service
   * {@code measuresItsHttp} gets no HTTP server and client metrics from Vert.x. Vert.x traces with
   * {@code tracing} (none when it is off); the node owns it from now on, and closes it last.
   */
  public static Future<ClusterNode> join(NodeConfig node, ClusterRole role, Consumer<Config> customizer,
      MeterRegistry metrics, boolean measuresItsHttp, Tracing tracing) {
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
    MicrometerMetricsOptions metricsOptions = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        // vertx-micrometer keeps registries in a JVM-wide map by name: a name per node keeps the metrics of
        // several nodes in one JVM (tests) apart.
        .setRegistryName("node-" + UUID.randomUUID());
    if (measuresItsHttp) {
      metricsOptions.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
          .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
    }
    return member.future().compose(hazelcast -> {
      HazelcastClusterManager clusterManager = new HazelcastClusterManager(hazelcast);
      return tracing.install(Vertx.builder()
          // A blocked event loop is a bug: its first warning carries the stack trace that shows where.
          .with(new VertxOptions()
              .setPreferNativeTransport(true) // epoll where Netty's native library loads, else Java NIO
              .setWarningExceptionTime(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME)
              .setWarningExceptionTimeUnit(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME_UNIT)
              .setMetricsOptions(metricsOptions)
              .setEventBusOptions(eventBusOptions(node, hazelcast)))
          .withMetrics(new MicrometerMetricsFactory(metrics))
          .withClusterManager(clusterManager))
          .buildClustered()
          .map(vertx -> {
            log.info("Network transport: {}", vertx.isNativeTransportEnabled() ? "native epoll"
                : "Java NIO (native unavailable: " + vertx.unavailableNativeTransportCause() + ")");
            return new ClusterNode(vertx, hazelcast, clusterManager, tracing);
          })
          .onFailure(e -> hazelcast.shutdown());
    }).onFailure(e -> ForkJoinPool.commonPool().execute(tracing::close)); // it may block: not on an event loop
  }

  /**
   * The event bus binds the address Hazelcast chose from {@code CLUSTER_HOST} (left alone, Vert.x would bind the
   * host's first public interface), with mutual TLS when the deployment has a keystore.
   */
  private static EventBusOptions eventBusOptions(NodeConfig node, HazelcastInstance hazelcast) {
    return node.clusterTls().map(ClusterTls::eventBusOptions).orElseGet(EventBusOptions::new)
        .setHost(hazelcast.getCluster().getLocalMember().getAddress().getHost());
  }

  /** Starts the Hazelcast member; a lite one returns once a data member is in the cluster. Blocking. */
  private static HazelcastInstance startMember(Config config, NodeConfig node) {
    HazelcastFutures.replaceDefaultExecutor();
    HazelcastInstance hazelcast = Hazelcast.newHazelcastInstance(config);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(node.cacheWaitSeconds());
    boolean waited = false;
    while (!hasDataMember(hazelcast)) {
      if (System.nanoTime() - deadline > 0) {
        hazelcast.shutdown();
        // The cluster name is a secret of the deployment: not in the message.
        throw new IllegalStateException("no cache-service member joined the cluster (CLUSTER_NAME)"
            + " within " + node.cacheWaitSeconds() + " s (CACHE_WAIT_SECONDS); cache-service holds the cluster's"
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

  /**
   * The host {@code member} serves HTTP on, and so publishes in discovery: its {@code PUBLIC_HOST}, which it
   * carries as an attribute, or else its cluster address.
   */
  public static String httpHost(Member member) {
    String published = member.getAttribute(HTTP_HOST_ATTRIBUTE);
    return published != null ? published : member.getAddress().getHost();
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

  /** How this node traces: Vert.x's own spans, and the means to add others. */
  public Tracing tracing() {
    return tracing;
  }

  /**
   * Leaves the cluster and closes Vert.x. Safe to call from any thread, this node's event loops included:
   * closed from one of its own loops, Vert.x would complete the close on a loop it has just shut down, and the
   * returned future would never complete. So the close always starts from a thread outside Vert.x, and the
   * returned future is bound to no context (its listeners run on the thread that completes it). The Hazelcast
   * member is this node's own, so it goes last, after the tracer has sent what Vert.x's last requests left.
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    ForkJoinPool.commonPool().execute(() -> vertx.close().onComplete(result -> {
      tracing.close();
      hazelcast.shutdown();
      closed.handle(result);
    }));
    return closed.future();
  }

  /** How long a member that finds its peers by Kubernetes DNS looks for them before it founds a cluster alone. */
  static final int KUBERNETES_DISCOVERY_WAIT_SECONDS = 5;

  static Config hazelcastConfig(NodeConfig node, ClusterRole role) {
    Config config = ConfigUtil.loadConfig(); // cluster.xml from the classpath
    config.setClusterName(node.clusterName());
    config.setLiteMember(role == ClusterRole.LITE);
    config.getMemberAttributeConfig()
        .setAttribute(SERVICE_ATTRIBUTE, node.serviceName())
        // What Vert.x sets when it starts the member itself.
        .setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
    node.publicHost().ifPresent(host -> config.getMemberAttributeConfig().setAttribute(HTTP_HOST_ATTRIBUTE, host));
    config.getNetworkConfig().setPort(node.clusterPort()).setPortAutoIncrement(true);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    // Host names expand to all their addresses: a Compose service name means every replica.
    if (node.clusterJoin() instanceof ClusterJoin.TcpIp tcpIp) {
      join.getTcpIpConfig().setEnabled(true).setMembers(JoinMembers.resolve(tcpIp.members()));
    } else if (node.clusterJoin() instanceof ClusterJoin.KubernetesDns kubernetes) {
      // Hazelcast's own Kubernetes discovery, DNS lookup mode: no API access, no plugin; each pod's member
      // listens on CLUSTER_PORT (each pod has its own address, so the first port is always free there).
      join.getTcpIpConfig().setEnabled(false);
      // Discovery looks for members only while a member waits before joining: with cluster.xml's 0 s every pod
      // would found a cluster of its own. Hazelcast's default; a pod that finds others joins at once.
      config.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(KUBERNETES_DISCOVERY_WAIT_SECONDS));
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", kubernetes.serviceDns())
          .setProperty("service-port", Integer.toString(node.clusterPort()));
    }
    if (node.clusterHost() instanceof ClusterHost.InterfacePattern pattern) {
      // The one interface whose address matches (10.231.0.*), on a host with several networks.
      config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(pattern.pattern());
    } else if (node.clusterHost() instanceof ClusterHost.Address address) {
      // Exactly this address; without either Hazelcast picks an interface of its own.
      config.setProperty("hazelcast.local.localAddress", address.host());
    }
    if (!(node.clusterHost() instanceof ClusterHost.Auto)) {
      // Bind that address only, not every interface (the Vert.x event bus binds it too).
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    return config;
  }
}
