package io.catalogsuite.gateway;

import static io.catalogsuite.testing.TestHttp.await;

import io.catalogsuite.cache.CacheConfig;
import io.catalogsuite.cache.CacheService;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.discovery.ServiceRecords;
import io.catalogsuite.gateway.protect.ProtectionConfig;
import io.catalogsuite.testing.TestHttp;
import io.catalogsuite.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway for integration tests, in front of instances the tests publish in its discovery: real services,
 * or small real HTTP servers standing in for them.
 */
final class TestGateway {
  private TestGateway() {
  }

  /**
   * Starts a cache-service member in {@code cluster}: the gateway is a lite member, and a cluster needs a member
   * that holds its data (discovery records, event-bus subscriptions) before a gateway can join it.
   */
  static ServiceNode startCache(String cluster) {
    return await(ServiceNode.start(TestNodes.config(CacheService.NAME, cluster),
        new CacheService(CacheConfig.fromEnv(Map.of()))));
  }

  /** Starts a gateway in {@code cluster} that knows one API key, {@code keyName}, with the roles admin and write. */
  static ServiceNode start(String cluster, String instanceId, GatewayConfig config, String keyName, String key) {
    return await(ServiceNode.start(TestNodes.config(GatewayService.NAME, cluster, instanceId), new GatewayService(
        config, ProtectionConfig.fromEnv(Map.of("GATEWAY_API_KEYS", keyName + ":" + key + ":admin|write")))));
  }

  /** Publishes an HTTP endpoint on this host as an instance of {@code service}, as if a node of the cluster served it. */
  static Record publish(ServiceNode gateway, String service, String instanceId, int port, int weight) {
    return await(gateway.discovery().publish(
        ServiceRecords.httpEndpoint(service, instanceId, gateway.nodeId(), "127.0.0.1", port, weight)));
  }

  static Record publish(ServiceNode gateway, String service, String instanceId, int port) {
    return publish(gateway, service, instanceId, port, 1);
  }

  /** A port nothing listens on (yet): an instance published there is unreachable. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the gateway's /admin/services shows {@code count} instances of {@code service}. */
  static void awaitInstances(TestHttp http, String service, int count) {
    http.awaitResponse("/admin/services", r -> {
      JsonObject entry = r.bodyAsJsonObject().getJsonObject("services").getJsonObject(service);
      return entry != null && entry.getJsonArray("instances").size() == count;
    }, Duration.ofSeconds(10));
  }
}
