package io.catalogsuite.launcher;

import io.catalogsuite.common.cluster.ClusterTls;

/**
 * What every process of one suite shares and nobody outside it knows.
 *
 * @param clusterName    the Hazelcast cluster name ({@code CLUSTER_NAME}): a member that does not know it is
 *                       refused at join, so it is as secret as the others (Hazelcast prints no cluster name in
 *                       its logs here: see cluster.xml)
 * @param gatewaySecret  {@code GATEWAY_SECRET}: the gateway signs what it forwards with it, and the instances
 *                       serve only signed requests
 * @param gatewayApiKeys {@code GATEWAY_API_KEYS}: the keys the gateway accepts
 * @param clusterTls     {@code CLUSTER_KEYSTORE} and its password: only holders of the key speak on the event bus
 */
public record Deployment(String clusterName, String gatewaySecret, String gatewayApiKeys, ClusterTls clusterTls) {

  /** What {@code toString} would otherwise print: every secret. */
  @Override
  public String toString() {
    return "Deployment[secrets withheld]";
  }
}
