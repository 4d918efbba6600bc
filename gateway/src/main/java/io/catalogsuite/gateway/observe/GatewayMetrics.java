package io.catalogsuite.gateway.observe;

import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The gateway's own meters, next to the ones Vert.x and the JVM report, all served at {@code GET /metrics}.
 * Micrometer meters are lock-free to update; a meter is looked up by name and tags, so the hot path allocates
 * a few tags and does no locking.
 */
public final class GatewayMetrics {
  private final MeterRegistry registry;

  public GatewayMetrics(MeterRegistry registry, ServiceDirectory directory, Collection<String> services) {
    this.registry = registry;
    for (String service : services) {
      Gauge.builder("gateway.in.flight", () -> directory.instances(service).stream()
              .mapToInt(Upstream::inFlight).sum())
          .description("Requests in flight to a service's instances")
          .tag("service", service)
          .register(registry);
    }
  }

  /** A request the gateway answered, from the first byte received to the response's end. */
  public void request(String route, String service, String upstream, String method, int status, long nanos) {
    Timer.builder("gateway.requests")
        .description("Requests through the gateway, by route, upstream instance, method and status")
        .tags("route", route, "service", service, "upstream", upstream, "method", method,
            "status", Integer.toString(status))
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(Duration.ofNanos(nanos));
  }

  /** The balancer chose this instance (retries included). */
  public void picked(Upstream upstream) {
    counter("gateway.upstream.picks", "Instances chosen by the balancer", upstream).increment();
  }

  public void retried(String service) {
    Counter.builder("gateway.retries").description("Requests retried on another instance")
        .tag("service", service).register(registry).increment();
  }

  public void retryBudgetExhausted(String service) {
    Counter.builder("gateway.retry.budget.exhausted")
        .description("Retries not made because the service's retry budget was spent")
        .tag("service", service).register(registry).increment();
  }

  /** A request refused with 429 by the rate limit of {@code route}. */
  public void rateLimited(String route) {
    Counter.builder("gateway.rate.limited").description("Requests refused by a rate limit")
        .tag("route", route).register(registry).increment();
  }

  public void ejected(Upstream upstream) {
    counter("gateway.ejections", "Instances ejected by passive health checking", upstream).increment();
  }

  /** Registers a gauge of a service's circuit breaker: 0 closed, 1 half-open, 2 open. */
  public void breakerState(String service, Supplier<Number> state) {
    Gauge.builder("gateway.circuit.breaker.state", state)
        .description("Circuit breaker state: 0 closed, 1 half-open, 2 open")
        .tag("service", service).register(registry);
  }

  private Counter counter(String name, String description, Upstream upstream) {
    return Counter.builder(name).description(description)
        .tags("service", upstream.service(), "upstream", upstream.instanceId()).register(registry);
  }
}
