package io.catalogsuite.gateway.discovery;

import io.catalogsuite.common.discovery.RecordOrigins;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link ServiceDirectory} in step with service discovery: a full read at start, another on every
 * publication or withdrawal announced on the event bus, and one every few seconds as a safety net for an
 * announcement that was missed. Only records a current cluster member published for itself get in
 * ({@link RecordOrigins}).
 */
public final class DiscoveryVerticle extends VerticleBase {
  private static final long RESYNC_MS = 5_000;
  private static final Logger log = LoggerFactory.getLogger(DiscoveryVerticle.class);

  private final ServiceDiscovery discovery;
  private final ServiceDirectory directory;
  private final RecordOrigins origins;
  // Only touched on this verticle's event loop.
  private boolean reading;
  private boolean again;

  public DiscoveryVerticle(ServiceDiscovery discovery, ServiceDirectory directory, RecordOrigins origins) {
    this.discovery = discovery;
    this.directory = directory;
    this.origins = origins;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().consumer(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, message -> refresh());
    vertx.setPeriodic(RESYNC_MS, id -> refresh());
    return refresh();
  }

  /**
   * Reads all records into the directory. Reads never overlap: one asked for while another runs is done right
   * after it, so an older read can never land after a newer one.
   */
  private Future<Void> refresh() {
    if (reading) {
      again = true;
      return Future.succeededFuture();
    }
    reading = true;
    return discovery.getRecords(record -> true)
        .onSuccess(records -> directory.update(origins.fromMembers(records)))
        .onFailure(e -> log.warn("Could not read service discovery: {}", e.toString()))
        .<Void>mapEmpty()
        .eventually(() -> {
          reading = false;
          if (again) {
            again = false;
            refresh();
          }
          return Future.succeededFuture();
        });
  }
}
