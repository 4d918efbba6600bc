package io.catalogsuite.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import static io.catalogsuite.common.cluster.PingNodes.TIMEOUT_SECONDS;
import static io.catalogsuite.common.cluster.PingNodes.await;
import static io.catalogsuite.common.cluster.PingNodes.config;
import static io.catalogsuite.common.cluster.PingNodes.freePorts;
import static io.catalogsuite.common.cluster.PingNodes.ping;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.PingNodes.PingService;
import io.vertx.servicediscovery.Record;
import java.util.List;
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
  @Test
  void afterTheLastDataMember_aNewOne_getsTheLiteMembersSubscriptionsAndRecords() throws Exception {
    // Five members in one JVM, on ports chosen free now and listed to each, so that they find each other.
    String cluster = "return-" + UUID.randomUUID();
    List<Integer> ports = freePorts(5);
    String members = ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    ServiceNode first = await(ServiceNode.start(config("data-1", cluster, members, ports.get(0)),
        new PingService("data", ClusterRole.DATA)));
    ServiceNode alpha = await(ServiceNode.start(config("alpha-1", cluster, members, ports.get(1)),
        new PingService("alpha", ClusterRole.LITE)));
    ServiceNode beta = await(ServiceNode.start(config("beta-1", cluster, members, ports.get(2)),
        new PingService("beta", ClusterRole.LITE)));
    ServiceNode second = null;
    ServiceNode gamma = null;
    try {
      assertThat(await(ping(beta, "alpha"))).isEqualTo("pong");
      assertThat(records(beta, "alpha")).hasSize(1);

      await(first.stop()); // the cluster's only data member: every shared map goes with it
      until(() -> !ClusterNode.hasDataMember(beta.cluster().hazelcast()));
      Thread.sleep(4_000); // longer than the calls' retries: what the lite members tried to write meanwhile failed

      second = await(ServiceNode.start(config("data-2", cluster, members, ports.get(3)),
          new PingService("data", ClusterRole.DATA)));
      until(() -> records(beta, "alpha").size() == 1 && records(alpha, "beta").size() == 1);
      until(() -> "pong".equals(ping(beta, "alpha").otherwiseEmpty().await()));
      assertThat(await(ping(alpha, "beta"))).isEqualTo("pong");

      // A node that joins now knows nothing but what the maps hold: alpha's subscription and its node record.
      gamma = await(ServiceNode.start(config("gamma-1", cluster, members, ports.get(4)),
          new PingService("gamma", ClusterRole.LITE)));
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

  private static List<Record> records(ServiceNode from, String service) {
    return from.discovery().getRecords(record -> record.getName().equals(service)).otherwise(List.of()).await();
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
