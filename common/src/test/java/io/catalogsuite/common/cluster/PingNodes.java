package io.catalogsuite.common.cluster;

import com.hazelcast.config.Config;
import io.catalogsuite.common.RoutelessService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.config.ClusterHost;
import io.catalogsuite.common.config.ClusterJoin;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.config.TracingConfig;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Nodes of the cluster tests, each answering {@code ping.<name>} with {@code pong} on the event bus. */
final class PingNodes {
  static final long TIMEOUT_SECONDS = 30;

  private PingNodes() {
  }

  /** A service in {@code role}; {@code ping.<name>} answers {@code pong} on the event bus. */
  record PingService(String name, ClusterRole role) implements RoutelessService {
    @Override
    public ClusterRole clusterRole() {
      return role;
    }

    /**
     * Calls give up after about 3 s without a data member, not two minutes: Vert.x's own attempt to write its
     * records again when the last data member leaves then fails, as it does in a longer outage.
     */
    @Override
    public void configureCluster(Config hazelcast) {
      hazelcast.setProperty("hazelcast.invocation.max.retry.count", "30");
      hazelcast.setProperty("hazelcast.invocation.retry.pause.millis", "100");
    }

    @Override
    public Future<Running> start(ServiceNode node) {
      return node.vertx().eventBus().<String>consumer("ping." + name, message -> message.reply("pong"))
          .completion().map(NOTHING);
    }
  }

  /** Instance {@code <service>-<n>} of {@code cluster}, with a cleartext event bus. */
  static NodeConfig config(String instance, String cluster, String members, int clusterPort) {
    return config(instance, cluster, members, clusterPort, Optional.empty());
  }

  /** Instance {@code <service>-<n>} of {@code cluster}, whose members are {@code members}, on {@code clusterPort}. */
  static NodeConfig config(String instance, String cluster, String members, int clusterPort,
      Optional<ClusterTls> tls) {
    return config(instance, cluster, new ClusterJoin.TcpIp(List.of(members.split(","))), clusterPort, tls);
  }

  /** Instance {@code <service>-<n>} of {@code cluster}, finding the others by {@code join}, on {@code clusterPort}. */
  static NodeConfig config(String instance, String cluster, ClusterJoin join, int clusterPort,
      Optional<ClusterTls> tls) {
    return new NodeConfig(instance.replaceAll("-\\d+$", ""), instance, "127.0.0.1", 0, 1, HttpTimeouts.DEFAULTS,
        Optional.of("127.0.0.1"), cluster, join, new ClusterHost.Address("127.0.0.1"), clusterPort, 1, 0, 30, tls,
        Optional.empty(), TracingConfig.off(instance.replaceAll("-\\d+$", "")));
  }

  static Future<String> ping(ServiceNode from, String service) {
    return from.vertx().eventBus().<String>request("ping." + service, "ping").map(message -> message.body());
  }

  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
