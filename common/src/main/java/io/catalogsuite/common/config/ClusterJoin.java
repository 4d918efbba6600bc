package io.catalogsuite.common.config;

import java.util.List;
import java.util.Optional;

/**
 * How a member finds the others: a TCP-IP list ({@code CLUSTER_MEMBERS}), or Hazelcast's built-in Kubernetes
 * discovery in DNS lookup mode ({@code CLUSTER_KUBERNETES_SERVICE_DNS}, the name of a headless Service over
 * every member's pod). One or the other, told apart once, here.
 */
public sealed interface ClusterJoin {
  /**
   * The members' addresses, {@code host} or {@code host:port}; a host name stands for all its addresses (a
   * Compose service name for every replica), resolved at start.
   */
  record TcpIp(List<String> members) implements ClusterJoin {
    public TcpIp {
      members = List.copyOf(members);
      ConfigException.require(!members.isEmpty(), "CLUSTER_MEMBERS must name at least one member");
    }
  }

  /**
   * A headless Service's DNS name, e.g. {@code catalog-suite-hazelcast.shop.svc.cluster.local}, looked up again
   * whenever Hazelcast looks for members: its A records are the members' pods.
   */
  record KubernetesDns(String serviceDns) implements ClusterJoin {
    public KubernetesDns {
      ConfigException.require(serviceDns.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"),
          "CLUSTER_KUBERNETES_SERVICE_DNS must be a DNS name, got '%s'", serviceDns);
    }
  }

  /** From the two variables; naming both is a contradiction, refused. */
  static ClusterJoin fromEnv(Env env) {
    Optional<String> dns = env.optional("CLUSTER_KUBERNETES_SERVICE_DNS");
    if (dns.isPresent()) {
      ConfigException.require(env.optional("CLUSTER_MEMBERS").isEmpty(),
          "set CLUSTER_MEMBERS (a TCP-IP list) or CLUSTER_KUBERNETES_SERVICE_DNS (Kubernetes discovery), not both");
      return new KubernetesDns(dns.get());
    }
    return new TcpIp(env.list("CLUSTER_MEMBERS", "127.0.0.1"));
  }
}
