package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.balance.LoadBalancer;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import java.util.List;

/**
 * Everything the gateway keeps per upstream service, shared by all its event loops: the instances, the
 * balancing and the meters. One per service, whatever the number of routes to it.
 */
public final class Backend {
  private final String service;
  private final ServiceDirectory directory;
  private final GatewayConfig.Balancing balancing;
  private final LoadBalancer balancer;
  private final GatewayMetrics metrics;

  public Backend(String service, ServiceDirectory directory, GatewayConfig.Balancing balancing,
      GatewayMetrics metrics) {
    this.service = service;
    this.directory = directory;
    this.balancing = balancing;
    this.balancer = balancing.strategy().create();
    this.metrics = metrics;
  }

  public String service() {
    return service;
  }

  List<Upstream> instances() {
    return directory.instances(service);
  }

  GatewayConfig.Balancing balancing() {
    return balancing;
  }

  LoadBalancer balancer() {
    return balancer;
  }

  GatewayMetrics metrics() {
    return metrics;
  }
}
