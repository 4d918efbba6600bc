package io.catalogsuite.gateway.discovery;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checking: every interval, {@code GET /health} on every known instance, which also brings what the
 * instance reports of its caches ({@link CacheLookups}, for the dashboard). An instance becomes unhealthy after N
 * failed probes in a row and healthy again after M passed ones ({@link HealthPolicy}).
 * Probes run on this verticle's own event loop and connections, apart from the traffic.
 */
public final class HealthCheckVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(HealthCheckVerticle.class);

  private final ServiceDirectory directory;
  private final HealthPolicy policy;
  private HttpClient client;

  public HealthCheckVerticle(ServiceDirectory directory, HealthPolicy policy) {
    this.directory = directory;
    this.policy = policy;
  }

  @Override
  public Future<?> start() {
    long timeout = Math.min(policy.probeIntervalMs(), 5_000);
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout).setKeepAlive(false));
    vertx.setPeriodic(policy.probeIntervalMs(), id -> probeAll());
    return Future.succeededFuture();
  }

  private void probeAll() {
    for (List<Upstream> instances : directory.all().values()) {
      instances.forEach(this::probe);
    }
  }

  private void probe(Upstream upstream) {
    long timeout = Math.min(policy.probeIntervalMs(), 5_000);
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(upstream.host())
            .setPort(upstream.port()).setURI("/health").setIdleTimeout(timeout))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> {
          boolean passed = response.statusCode() == 200;
          if (passed) {
            upstream.reported(CacheLookups.fromHealth(body));
          }
          return passed;
        }))
        .otherwise(false)
        .onSuccess(passed -> {
          if (upstream.probed(passed, System.currentTimeMillis(), policy)) {
            log.info("{} is {}", upstream, upstream.healthy() ? "healthy again" : "unhealthy");
          }
        });
  }
}
