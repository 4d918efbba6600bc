package io.catalogsuite.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.cluster.ClusterRole;
import io.catalogsuite.common.config.ClusterHost;
import io.catalogsuite.common.config.ClusterJoin;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.config.TracingConfig;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node lifecycle against a real one-member cluster. */
class ServiceNodeTest {
  static NodeConfig config() {
    return new NodeConfig("test-service", "test-1", "127.0.0.1", 0, 1, HttpTimeouts.DEFAULTS, Optional.of("127.0.0.1"),
        "test-" + UUID.randomUUID(), new ClusterJoin.TcpIp(List.of("127.0.0.1")), new ClusterHost.Address("127.0.0.1"), 5701, 1, 0, 30, Optional.empty(),
        Optional.empty(), TracingConfig.off("test-service"));
  }

  /**
   * A service whose start fails the way a refused database login does: asynchronously, on one of the node's
   * event loops.
   */
  static final class FailingService implements RoutelessService {
    /** A data member: alone in its cluster, a lite one would wait for one instead. */
    @Override
    public ClusterRole clusterRole() {
      return ClusterRole.DATA;
    }

    @Override
    public Future<Running> start(ServiceNode node) {
      return node.vertx().timer(1, TimeUnit.MILLISECONDS)
          .compose(v -> Future.failedFuture("database refused the credentials"));
    }
  }

  /** A service that starts, serves nothing of its own, and holds the cluster's data (it is alone in it). */
  static final class IdleService implements RoutelessService {
    @Override
    public ClusterRole clusterRole() {
      return ClusterRole.DATA;
    }

    @Override
    public Future<Running> start(ServiceNode node) {
      return Future.succeededFuture(NOTHING);
    }
  }

  /** Regression: with HTTP_PORT=0 (any free port) and more than one HTTP server, the second failed to bind. */
  @Test
  void anyFreePort_isSharedByEveryHttpServer() throws Exception {
    NodeConfig two = new NodeConfig("test-service", "test-2", "127.0.0.1", 0, 2, HttpTimeouts.DEFAULTS, Optional.of("127.0.0.1"),
        "test-" + UUID.randomUUID(), new ClusterJoin.TcpIp(List.of("127.0.0.1")), new ClusterHost.Address("127.0.0.1"), 5701, 1, 0, 30, Optional.empty(),
        Optional.empty(), TracingConfig.off("test-service"));
    ServiceNode node = ServiceNode.start(two, new IdleService()).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    try {
      assertThat(node.port()).isPositive();
      var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + node.port() + "/health")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
        // Netty's native epoll transport, where its library (linux-x86_64) loads: fewer system calls than NIO.
        assertThat(node.vertx().isNativeTransportEnabled()).as(String.valueOf(
            node.vertx().unavailableNativeTransportCause())).isTrue();
      }
    } finally {
      node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** Regression: a failed start closed Vert.x from its own event loop and never completed, so main hung. */
  @Test
  void start_failing_completesWithTheCause() throws Exception {
    var started = ServiceNode.start(config(), new FailingService()).toCompletionStage().toCompletableFuture();
    ExecutionException failure = null;
    try {
      started.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e;
    }
    assertThat(failure).as("start must fail, not hang or succeed").isNotNull();
    assertThat(failure.getCause()).hasMessage("database refused the credentials");
  }
}
