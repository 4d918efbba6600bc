package io.catalogsuite.gateway.proxy;

import io.catalogsuite.gateway.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Vertx;
import org.slf4j.LoggerFactory;
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
 * balancing, the health rules, the retry budget, the circuit breaker and the meters. One per service,
 * whatever the number of routes to it.
 */
public final class Backend {
  private final String service;
  private final ServiceDirectory directory;
  private final GatewayConfig.Balancing balancing;
  private final LoadBalancer balancer;
  private final GatewayMetrics metrics;
  private final HealthPolicy health;
  private final Resilience resilience;
  private final RetryBudget retryBudget;
  private final Vertx vertx;
  /** Replaced whole when an operator resets it: Vert.x's breaker closes an open breaker only after its timeout. */
  private volatile CircuitBreaker breaker;
  private final Counter retries;
  private final Counter retryBudgetExhausted;

  public Backend(Vertx vertx, String service, ServiceDirectory directory, GatewayConfig.Balancing balancing,
      GatewayMetrics metrics, HealthPolicy health, Resilience resilience) {
    this.service = service;
    this.directory = directory;
    this.balancing = balancing;
    this.balancer = balancing.strategy().create();
    this.metrics = metrics;
    this.health = health;
    this.resilience = resilience;
    this.retryBudget = new RetryBudget(resilience.budgetPercent(), resilience.budgetMinRetries());
    this.vertx = vertx;
    this.breaker = newBreaker();
    this.retries = metrics.retries(service);
    this.retryBudgetExhausted = metrics.retryBudgetExhausted(service);
    metrics.breakerState(service, () -> switch (breaker.state()) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    });
  }

  private CircuitBreaker newBreaker() {
    return CircuitBreaker.create("gateway-" + service, vertx, new CircuitBreakerOptions()
            .setMaxFailures(resilience.breakerMaxFailures())
            .setFailuresRollingWindow(resilience.breakerWindowMs())
            .setResetTimeout(resilience.breakerResetMs())
            .setTimeout(-1) // the proxy has its own timeouts, per route
            .setMaxRetries(0) // and its own retries, which know which requests may be retried
            .setNotificationAddress(null)) // no state broadcasts over the clustered event bus
        // A request fails for the breaker when, after its retries, it got what says the service is unwell: no
        // response (no connection, a timeout) or a 502, 503 or 504. Not a 500, which one client's request can
        // cause (a bug it triggers) and which must not shut the service off for every client; nor a refusal of
        // the gateway's own (no room for another event stream).
        .<Integer>failurePolicy(outcome -> outcome.failed()
            ? !(outcome.cause() instanceof EventStreams.Full)
            : isGatewayFailure(outcome.result()))
        .openHandler(v -> LoggerFactory.getLogger(Backend.class).warn("Circuit breaker of {} opened", service))
        .closeHandler(v -> LoggerFactory.getLogger(Backend.class).info("Circuit breaker of {} closed", service));
  }

  /** 502, 503, 504: the statuses that say an instance or what is behind it is unwell, not the request. */
  static boolean isGatewayFailure(int status) {
    return status == 502 || status == 503 || status == 504;
  }

  Resilience resilience() {
    return resilience;
  }

  RetryBudget retryBudget() {
    return retryBudget;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  /** Counts the requests retried on another instance. */
  Counter retries() {
    return retries;
  }

  /** Counts the retries not made because the retry budget was spent. */
  Counter retryBudgetExhausted() {
    return retryBudgetExhausted;
  }

  /**
   * What the dashboard shows of a service beside its instances.
   *
   * @param breaker        the circuit breaker's state ({@link #breakerState()})
   * @param retries        requests retried on another instance, since the gateway started
   * @param retriesRefused retries not made because the budget was spent, since the gateway started
   * @param budgetUsed     retries made in the budget's window (the last {@value RetryBudget#SECONDS} s)
   * @param budgetAllowed  retries the budget allows in that window now
   */
  public record Status(String breaker, long retries, long retriesRefused, long budgetUsed, long budgetAllowed) {
  }

  public Status status(long nowMs) {
    long second = nowMs / 1000;
    return new Status(breakerState(), (long) retries.count(), (long) retryBudgetExhausted.count(),
        retryBudget.used(second), retryBudget.allowed(second));
  }

  /**
   * An operator closes the breaker (admin API), its failures forgotten: a new breaker takes its place (Vert.x's
   * {@code reset} leaves an open breaker open until its timeout), and requests under way finish under the old.
   */
  public void resetBreaker() {
    CircuitBreaker old = breaker;
    breaker = newBreaker();
    old.close();
  }

  /** The breaker's state, for /admin/services: closed, half-open or open. */
  public String breakerState() {
    return breaker.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
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
    int availableTotal = 0; // tried ones included: the panic threshold is about the whole service
    for (Upstream upstream : all) {
      boolean isAvailable = upstream.available(now);
      if (isAvailable) {
        availableTotal++;
      }
      if (!exclude.contains(upstream)) {
        untried.add(upstream);
        if (isAvailable) {
          available.add(upstream);
        }
      }
    }
    if ((long) availableTotal * 100 < (long) all.size() * health.panicPercent() || available.isEmpty()) {
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
