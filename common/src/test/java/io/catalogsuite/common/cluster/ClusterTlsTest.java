package io.catalogsuite.common.cluster;

import static io.catalogsuite.common.cluster.PingNodes.await;
import static io.catalogsuite.common.cluster.PingNodes.config;
import static io.catalogsuite.common.cluster.PingNodes.freePorts;
import static io.catalogsuite.common.cluster.PingNodes.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.cluster.PingNodes.PingService;
import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.spi.cluster.NodeInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event bus between nodes that hold the deployment's keystore is TLS with client authentication: a member
 * of the same Hazelcast cluster (it knows the cluster name) without that key, or with no TLS at all, can neither
 * reach a node's consumers nor be reached.
 */
class ClusterTlsTest {
  @TempDir
  Path dir;

  @Test
  void onlyNodesHoldingTheKey_talkOverTheEventBus() throws Exception {
    ClusterTls deployment = ClusterTls.createKeystore(dir.resolve("deployment.p12"), "pw-" + UUID.randomUUID());
    ClusterTls other = ClusterTls.createKeystore(dir.resolve("other.p12"), "pw-" + UUID.randomUUID());
    String cluster = "tls-" + UUID.randomUUID();
    List<Integer> ports = freePorts(4);
    String members = ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    ServiceNode data = await(ServiceNode.start(config("data-1", cluster, members, ports.get(0),
        Optional.of(deployment)), new PingService("data", ClusterRole.DATA)));
    ServiceNode alpha = await(ServiceNode.start(config("alpha-1", cluster, members, ports.get(1),
        Optional.of(deployment)), new PingService("alpha", ClusterRole.LITE)));
    ServiceNode wrongKey = await(ServiceNode.start(config("wrongkey-1", cluster, members, ports.get(2),
        Optional.of(other)), new PingService("wrongkey", ClusterRole.LITE)));
    ServiceNode cleartext = await(ServiceNode.start(config("cleartext-1", cluster, members, ports.get(3)),
        new PingService("cleartext", ClusterRole.LITE)));
    try {
      assertThat(await(ping(alpha, "data"))).isEqualTo("pong");
      assertThat(await(ping(data, "alpha"))).isEqualTo("pong");

      for (ServiceNode outsider : List.of(wrongKey, cleartext)) {
        assertThat(outsider.cluster().hazelcast().getCluster().getMembers()).hasSize(4); // in the cluster...
        assertUnreachable(outsider, "data"); // ...and yet cut off from the event bus, both ways
        assertUnreachable(data, outsider == wrongKey ? "wrongkey" : "cleartext");
      }
    } finally {
      for (ServiceNode node : List.of(cleartext, wrongKey, alpha, data)) {
        await(node.stop());
      }
    }
  }

  /**
   * A client that speaks TLS but trusts anything and has a certificate of its own (an attacker who knows the
   * protocol) is cut off by the client authentication the node requires. Without it, this test fails: the
   * connection stays open, ready for event-bus frames.
   */
  @Test
  void aTlsClientWithoutTheDeploymentsCertificate_isRefused() throws Exception {
    ClusterTls deployment = ClusterTls.createKeystore(dir.resolve("deployment.p12"), "pw-" + UUID.randomUUID());
    ClusterTls other = ClusterTls.createKeystore(dir.resolve("other.p12"), "pw-" + UUID.randomUUID());
    List<Integer> ports = freePorts(1);
    ServiceNode data = await(ServiceNode.start(config("data-1", "tls-" + UUID.randomUUID(),
        "127.0.0.1:" + ports.get(0), ports.get(0), Optional.of(deployment)), new PingService("data", ClusterRole.DATA)));
    try {
      NodeInfo eventBus = ((VertxInternal) data.vertx()).clusterManager().getNodeInfo();
      NetClient attacker = data.vertx().createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
          .setHostnameVerificationAlgorithm("")
          .setKeyCertOptions(new PfxOptions().setPath(other.keystore().toString()).setPassword(other.password())));
      Promise<Void> closed = Promise.promise();
      attacker.connect(eventBus.port(), eventBus.host())
          .onSuccess(socket -> socket.closeHandler(v -> closed.tryComplete()))
          .onFailure(refused -> closed.tryComplete()); // refused during the handshake: as good
      await(closed.future().timeout(10, TimeUnit.SECONDS));
    } finally {
      await(data.stop());
    }
  }

  @Test
  void aKeystoreNeedsItsPassword_andAPasswordItsKeystore() {
    assertThatThrownBy(() -> ClusterTls.of(Optional.of(dir.resolve("absent.p12").toString()), Optional.of("x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_KEYSTORE");
    assertThatThrownBy(() -> ClusterTls.of(Optional.empty(), Optional.of("x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CLUSTER_KEYSTORE is not");
    assertThat(ClusterTls.of(Optional.empty(), Optional.empty())).isEmpty();
  }

  @Test
  void itsStringWithholdsThePassword() {
    assertThat(new ClusterTls(Path.of("/k.p12"), "secret-password")).hasToString("ClusterTls[/k.p12]");
  }

  /** A request from {@code from} to {@code service} gets no answer: the connection to its node never forms. */
  private static void assertUnreachable(ServiceNode from, String service) {
    var request = from.vertx().eventBus()
        .request("ping." + service, "ping", new DeliveryOptions().setSendTimeout(2_000));
    assertThatThrownBy(() -> await(request))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ReplyException.class);
  }
}
