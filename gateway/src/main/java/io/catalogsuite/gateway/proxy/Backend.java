package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.GatewayConfig;
import io.catalogsuite.gateway.balance.LoadBalancer;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.observe.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

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
  private final HealthPolicy health;

  public Backend(String service, ServiceDirectory directory, GatewayConfig.Balancing balancing,
      GatewayMetrics metrics, HealthPolicy health) {
    this.service = service;
    this.directory = directory;
    this.balancing = balancing;
    this.balancer = balancing.strategy().create();
    this.metrics = metrics;
    this.health = health;
  }

  HealthPolicy health() {
    return health;
  }

  /**
   * The instances to balance over now: the available ones, each in slow start kept with a probability equal
   * to its ramped share. Below the panic threshold (too few available) it is all of them instead: better to
   * spread over instances that may be fine than to crush the few left.
   */
  List<Upstream> candidates(long now, Set<Upstream> exclude) {
    List<Upstream> all = instances();
    List<Upstream> available = new ArrayList<>(all.size());
    List<Upstream> untried = new ArrayList<>(all.size());
    for (Upstream upstream : all) {
      if (!exclude.contains(upstream)) {
        untried.add(upstream);
        if (upstream.available(now)) {
          available.add(upstream);
        }
      }
    }
    long availableTotal = all.stream().filter(u -> u.available(now)).count();
    if (availableTotal * 100 < (long) all.size() * health.panicPercent() || available.isEmpty()) {
      return untried;
    }
    List<Upstream> admitted = new ArrayList<>(available.size());
    for (Upstream upstream : available) {
      double share = upstream.share(now, health);
      if (share >= 1.0 || ThreadLocalRandom.current().nextDouble() < share) {
        admitted.add(upstream);
      }
    }
    return admitted.isEmpty() ? available : admitted;
  }

  /** Records a failed request; ejects the instance if that was the K-th in a row and the threshold allows. */
  void failed(Upstream upstream, long now) {
    List<Upstream> all = instances();
    long ejected = all.stream().filter(u -> u.ejected(now)).count();
    boolean mayEject = (ejected + 1) * 100 <= (long) all.size() * health.panicPercent();
    if (upstream.failed(now, health, mayEject)) {
      metrics.ejected(upstream);
    }
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
