package io.catalogsuite.common;

import com.hazelcast.config.Config;
import io.catalogsuite.common.cluster.ClusterRole;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a service adds to the shared node lifecycle of {@link ServiceNode}: its node-wide resources, its routes
 * and its readiness checks. Everything else (cluster, HTTP servers, health, problems, discovery) is common.
 *
 * <p>A service is its configuration, and says what the node needs before it starts (its cluster role, its HTTP
 * server's options, ...). What exists only once it has started (connections, caches, handlers) is its
 * {@link Running} part, which {@link #start} makes.
 */
public interface Service {

  /**
   * Prepares node-wide resources (database, cache maps) before HTTP starts, and completes with the service they
   * make up, which the node then serves. Called once per node.
   */
  Future<Running> start(ServiceNode node);

  /** The HTTP server's options; a service that faces clients directly (the gateway) tightens them. */
  default HttpServerOptions serverOptions(HttpServerOptions defaults) {
    return defaults;
  }

  /**
   * Adds what the service needs to its node's Hazelcast configuration (serializers, say) before the member
   * starts. Nothing by default.
   */
  default void configureCluster(Config hazelcast) {
  }

  /** What the node keeps of the cluster's data: none, unless the service says so (cache-service does). */
  default ClusterRole clusterRole() {
    return ClusterRole.LITE;
  }

  /**
   * Whether the service measures its HTTP traffic itself (the gateway: per route and upstream), so that Vert.x's
   * own HTTP server and client metrics would only count the same requests twice. No by default.
   */
  default boolean measuresItsHttp() {
    return false;
  }

  /** Whether the node publishes itself in service discovery (the services do; the gateway does not). */
  default boolean discoverable() {
    return true;
  }

  /** A started service: what {@link Service#start} made, served by the node until it stops. */
  interface Running {

    /**
     * Adds the service's routes, as one table, to a router that already answers {@code /health} and
     * {@code /ready} and maps failures to problem responses. Called once per HTTP server verticle, on its
     * event loop.
     */
    void routes(Router router, Vertx vertx);

    /** Named readiness checks, besides cluster membership which every node reports. */
    Map<String, Supplier<Future<?>>> readiness();

    /**
     * Named checks of what the service can do without: a failing one makes {@code /ready} say {@code DEGRADED},
     * and the node stays ready. None by default.
     */
    default Map<String, Supplier<Future<?>>> optionalReadiness() {
      return Map.of();
    }

    /**
     * What {@code GET /health} says besides {@code "status":"UP"}: figures the gateway's health checker passes on
     * to its dashboard (catalog-service: its caches' lookups). Called on an event loop for every probe, so cheap
     * and never blocking; {@code /metrics} is as open and shows the same. Nothing by default.
     */
    default JsonObject healthReport() {
      return new JsonObject();
    }

    /** Releases what {@link Service#start} acquired. Called after HTTP has stopped. */
    default Future<Void> stop() {
      return Future.succeededFuture();
    }
  }
}
