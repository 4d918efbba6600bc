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
 * Brings instances back into rotation: every interval it probes {@code GET /health} on each instance that a
 * connection failure took out, and readmits those that answer 200.
 */
public final class ReadmissionVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ReadmissionVerticle.class);

  private final ServiceDirectory directory;
  private final long intervalMs;
  private HttpClient client;

  public ReadmissionVerticle(ServiceDirectory directory, long intervalMs) {
    this.directory = directory;
    this.intervalMs = intervalMs;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) Math.min(intervalMs, 5_000))
        .setKeepAlive(false));
    vertx.setPeriodic(intervalMs, id -> probeOutOfRotation());
    return Future.succeededFuture();
  }

  private void probeOutOfRotation() {
    for (List<Upstream> instances : directory.all().values()) {
      for (Upstream upstream : instances) {
        if (!upstream.inRotation()) {
          probe(upstream);
        }
      }
    }
  }

  private void probe(Upstream upstream) {
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(upstream.host())
            .setPort(upstream.port()).setURI("/health").setIdleTimeout(intervalMs))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onSuccess(status -> {
          if (status == 200 && upstream.readmit()) {
            log.info("{} answers again; back in rotation", upstream);
          }
        });
    // A failed probe changes nothing: the instance stays out until one succeeds.
  }
}
