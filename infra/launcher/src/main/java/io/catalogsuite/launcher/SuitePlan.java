package io.catalogsuite.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The instances of one suite and the environment of each: {@code cache} cache-service instances, then
 * {@code catalog} catalog-service instances, then one gateway, all clustered over loopback.
 *
 * <p>Every member gets its own Hazelcast port, and the member list names them all. With the default list
 * ({@code 127.0.0.1}) Hazelcast only probes ports 5701-5703, so on a machine where other clusters (tests, another
 * suite) hold those ports, the suite's members would miss each other and each form a cluster of one.
 */
public final class SuitePlan {
  static final String LOOPBACK = "127.0.0.1";

  private SuitePlan() {
  }

  /**
   * The instances to start, in start order. Ports are chosen free now: an HTTP port for each cache and catalog
   * instance ({@code gatewayPort} for the gateway) and a cluster port for every member. Every member gets the
   * deployment's cluster name, gateway secret and event-bus keystore; the gateway alone gets its API keys. Each
   * cache-service instance keeps the cache maps defined at runtime in {@code dataDir/<name>/cache-maps.json}.
   */
  public static List<InstanceSpec> instances(int cache, int catalog, int gatewayPort, Deployment deployment,
      String pgUrl, Path dataDir) {
    int members = cache + catalog + 1;
    Iterator<Integer> ports = Ports.free(cache + catalog + members, List.of(gatewayPort)).iterator();
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      clusterPorts.add(ports.next());
    }
    Map<String, String> shared = Map.of(
        "CLUSTER_NAME", deployment.clusterName(),
        "GATEWAY_SECRET", deployment.gatewaySecret(),
        "CLUSTER_KEYSTORE", deployment.clusterTls().keystore().toString(),
        "CLUSTER_KEYSTORE_PASSWORD", deployment.clusterTls().password(),
        "CLUSTER_HOST", LOOPBACK,
        "CLUSTER_MEMBERS", clusterPorts.stream().map(port -> LOOPBACK + ":" + port).collect(Collectors.joining(",")),
        "HTTP_HOST", LOOPBACK,
        "PUBLIC_HOST", LOOPBACK);

    Iterator<Integer> clusterPort = clusterPorts.iterator();
    List<InstanceSpec> instances = new ArrayList<>();
    for (int n = 1; n <= cache; n++) {
      instances.add(spec(ServiceKind.CACHE, n, ports.next(), clusterPort.next(), shared, Map.of(
          "CACHE_DEFINITIONS_FILE", dataDir.resolve(ServiceKind.CACHE.instanceName(n)).resolve("cache-maps.json")
              .toString())));
    }
    for (int n = 1; n <= catalog; n++) {
      instances.add(spec(ServiceKind.CATALOG, n, ports.next(), clusterPort.next(), shared, Map.of("PG_URL", pgUrl)));
    }
    instances.add(spec(ServiceKind.GATEWAY, 1, gatewayPort, clusterPort.next(), shared,
        Map.of("GATEWAY_API_KEYS", deployment.gatewayApiKeys())));
    return List.copyOf(instances);
  }

  private static InstanceSpec spec(ServiceKind service, int n, int httpPort, int clusterPort,
      Map<String, String> shared, Map<String, String> own) {
    String name = service.instanceName(n);
    Map<String, String> env = new HashMap<>(shared);
    env.putAll(own);
    env.put("INSTANCE_ID", name);
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("CLUSTER_PORT", Integer.toString(clusterPort));
    return new InstanceSpec(name, service, httpPort, env);
  }
}
