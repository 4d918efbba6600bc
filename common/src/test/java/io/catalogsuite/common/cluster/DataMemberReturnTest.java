package io.catalogsuite.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.catalogsuite.common.RoutelessService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.vertx.core.Future;
import io.vertx.servicediscovery.Record;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cluster's shared state lives on the data members alone. When the last one has gone and another joins, the
 * lite members put back what they own: their event-bus subscriptions and their discovery records.
 */
class DataMemberReturnTest {
  private static final long TIMEOUT_SECONDS = 30;

  /** A service in {@code role}; {@code ping.<name>} answers {@code pong} on the event bus. */
  private record TestService(String name, ClusterRole role) implements RoutelessService {
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
    public Future<Void> start(ServiceNode node) {
      return node.vertx().eventBus().<String>consumer("ping." + name, message -> message.reply("pong"))
          .completion();
    }
  }

  @Test
  void afterTheLastDataMember_aNewOne_getsTheLiteMembersSubscriptionsAndRecords() throws Exception {
    // Five members in one JVM, on ports chosen free now and listed to each, so that they find each other.
    String cluster = "return-" + UUID.randomUUID();
    List<Integer> ports = freePorts(5);
    String members = ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    ServiceNode first = await(ServiceNode.start(config("data-1", cluster, members, ports.get(0)),
        new TestService("data", ClusterRole.DATA)));
    ServiceNode alpha = await(ServiceNode.start(config("alpha-1", cluster, members, ports.get(1)),
        new TestService("alpha", ClusterRole.LITE)));
    ServiceNode beta = await(ServiceNode.start(config("beta-1", cluster, members, ports.get(2)),
        new TestService("beta", ClusterRole.LITE)));
    ServiceNode second = null;
    ServiceNode gamma = null;
    try {
      assertThat(await(ping(beta, "alpha"))).isEqualTo("pong");
      assertThat(records(beta, "alpha")).hasSize(1);

      await(first.stop()); // the cluster's only data member: every shared map goes with it
      until(() -> !ClusterNode.hasDataMember(beta.cluster().hazelcast()));
      Thread.sleep(4_000); // longer than the calls' retries: what the lite members tried to write meanwhile failed

      second = await(ServiceNode.start(config("data-2", cluster, members, ports.get(3)),
          new TestService("data", ClusterRole.DATA)));
      until(() -> records(beta, "alpha").size() == 1 && records(alpha, "beta").size() == 1);
      until(() -> "pong".equals(ping(beta, "alpha").otherwiseEmpty().await()));
      assertThat(await(ping(alpha, "beta"))).isEqualTo("pong");

      // A node that joins now knows nothing but what the maps hold: alpha's subscription and its node record.
      gamma = await(ServiceNode.start(config("gamma-1", cluster, members, ports.get(4)),
          new TestService("gamma", ClusterRole.LITE)));
      assertThat(await(ping(gamma, "alpha"))).isEqualTo("pong");
      assertThat(records(gamma, "beta")).hasSize(1);
    } finally {
      if (gamma != null) {
        await(gamma.stop());
      }
      await(beta.stop());
      await(alpha.stop());
      if (second != null) {
        await(second.stop());
      }
    }
  }

  private static NodeConfig config(String instance, String cluster, String members, int clusterPort) {
    return new NodeConfig(instance.replaceAll("-\\d+$", ""), instance, "127.0.0.1", 0, 1, HttpTimeouts.DEFAULTS, Optional.of("127.0.0.1"),
        cluster, List.of(members.split(",")), Optional.of("127.0.0.1"), clusterPort, 1, 0, 30, Optional.empty());
  }

  private static Future<String> ping(ServiceNode from, String service) {
    return from.vertx().eventBus().<String>request("ping." + service, "ping").map(message -> message.body());
  }

  private static List<Record> records(ServiceNode from, String service) {
    return from.discovery().getRecords(record -> record.getName().equals(service)).otherwise(List.of()).await();
  }

  private static List<Integer> freePorts(int count) throws IOException {
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

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(50);
    }
  }
}
