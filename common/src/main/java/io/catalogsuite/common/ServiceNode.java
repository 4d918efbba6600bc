package io.catalogsuite.common;

import io.catalogsuite.common.cluster.ClusterNode;
import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.NodeConfig;
import io.catalogsuite.common.discovery.DepartedNodeReaper;
import io.catalogsuite.common.discovery.ServiceRecords;
import io.catalogsuite.common.http.Health;
import io.catalogsuite.common.http.MethodLabel;
import io.catalogsuite.common.http.Problems;
import io.catalogsuite.common.tracing.Tracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running service instance, and the lifecycle every service shares.
 *
 * <p>Start: join the cluster, start the service's resources, bind the HTTP servers (a free port when the
 * configured one is 0), then publish the bound address in service discovery. Stop runs the other way round:
 * unpublish first and wait the drain delay, so the gateway stops sending traffic before the servers go away;
 * then the servers finish the requests in flight.
 */
public final class ServiceNode {
  private static final Logger log = LoggerFactory.getLogger(ServiceNode.class);
  private static final long STOP_TIMEOUT_SECONDS = 30;

  private final NodeConfig config;
  private final PrometheusMeterRegistry metrics;
  private final Service service;
  private final ClusterNode cluster;
  private final ServiceDiscovery discovery;
  private final DepartedNodeReaper reaper;
  /** What the node serves: set once its service has started, before start's future hands the node out. */
  private Serving serving;
  private volatile Record record; // published again when the cluster lost it (ClusterNode.onDataReturned)

  private ServiceNode(NodeConfig config, Service service, ClusterNode cluster, PrometheusMeterRegistry metrics) {
    this.config = config;
    this.metrics = metrics;
    this.service = service;
    this.cluster = cluster;
    this.discovery = ServiceDiscovery.create(cluster.vertx());
    this.reaper = new DepartedNodeReaper(cluster.vertx(), cluster.hazelcast(), discovery);
  }

  /**
   * Starts a node running {@code service}, tracing as its configuration says; the future completes once it serves
   * HTTP and is discoverable.
   */
  public static Future<ServiceNode> start(NodeConfig config, Service service) {
    return start(config, service, Tracing.of(config));
  }

  /** The same, tracing with {@code tracing} (the node closes it when it stops). */
  public static Future<ServiceNode> start(NodeConfig config, Service service, Tracing tracing) {
    // Not bound to any Vert.x context: when start fails, the node's Vert.x is closed, and a future bound to
    // one of its event loops could never deliver the failure.
    Promise<ServiceNode> started = Promise.promise();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().commonTags("application", config.serviceName()).meterFilter(MethodLabel.filter());
    ClusterNode.join(config, service.clusterRole(), service::configureCluster, metrics,
        service.measuresItsHttp(), tracing).onComplete(joined -> {
      if (joined.failed()) {
        started.fail(joined.cause());
        return;
      }
      ServiceNode node = new ServiceNode(config, service, joined.result(), metrics);
      node.startServing().onComplete(result -> {
        if (result.succeeded()) {
          started.complete(node);
        } else {
          node.cluster.close().onComplete(closed -> started.fail(result.cause()));
        }
      });
    });
    return started.future();
  }

  /**
   * Runs a service as the process's main: reads its configuration from the environment, starts it, stops it
   * gracefully on SIGTERM/SIGINT, and exits with status 1 when it cannot start (a configuration error, an
   * unreachable database, ...), saying why in one line.
   */
  public static void main(String serviceName, int defaultPort, Function<Map<String, String>, Service> service) {
    NodeConfig config;
    Service instance;
    try {
      config = NodeConfig.fromEnv(serviceName, defaultPort, System.getenv());
      instance = service.apply(System.getenv());
    } catch (ConfigException e) {
      log.error("{}: invalid configuration: {}", serviceName, e.getMessage());
      System.exit(2);
      return;
    }
    try {
      ServiceNode node = start(config, instance).await(5, TimeUnit.MINUTES);
      log.info("{} {} ready on port {}", serviceName, config.instanceId(), node.port());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          node.stop().await(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
          log.warn("Stop did not complete: {}", e.toString());
        }
      }, "graceful-stop"));
    } catch (Exception e) {
      log.error("{} failed to start: {}", serviceName, e.getMessage(), e);
      System.exit(1);
    }
  }

  private Future<Void> startServing() {
    if (service.discoverable() && config.gatewayIdentity().isEmpty()) {
      log.warn("No GATEWAY_SECRET: this instance serves whoever reaches its port, not the gateway only");
    }
    if (config.clusterTls().isEmpty()) {
      log.warn("No CLUSTER_KEYSTORE: the event bus is cleartext, open to whoever reaches its port");
    }
    // Composed, not called: a start that throws (a document that does not parse) fails the start, not hangs it.
    return Future.succeededFuture().compose(v -> service.start(this))
        .compose(this::serve)
        .compose(started -> {
          serving = started;
          return reaper.start();
        })
        .compose(v -> {
          if (!service.discoverable()) {
            return Future.succeededFuture();
          }
          // The record lives on the data members: after the last has gone and one is back, publish it again
          // (the old one is gone, unless a first try got this far: then it goes, so that there is one).
          cluster.onDataReturned(() -> discovery.unpublish(record.getRegistration())
              .recover(e -> Future.succeededFuture())
              .compose(unpublished -> publish()));
          return publish();
        });
  }

  /** Binds the HTTP servers, which serve {@code running} behind the node's health endpoints over its checks. */
  private Future<Serving> serve(Service.Running running) {
    Health health = Health.checks(readinessChecks(running), running.optionalReadiness(), running::healthReport,
        config.serviceName(), config.instanceId());
    // Every server binds the same port, which Vert.x shares among them. For "any free port", Vert.x 5 shares
    // -1: with 0 each server would be given a port of its own.
    int bindPort = config.httpPort() == 0 ? -1 : config.httpPort();
    List<HttpServerVerticle> servers = new ArrayList<>();
    for (int i = 0; i < config.httpInstances(); i++) {
      servers.add(new HttpServerVerticle(service, vertx -> router(vertx, running, health), config.instanceId(),
          config.httpTimeouts(), config.httpHost(), bindPort));
    }
    List<Future<String>> deployments = servers.stream().map(server -> vertx().deployVerticle(server)).toList();
    return Future.all(deployments).map(all -> new Serving(running, health,
        deployments.stream().map(Future::result).toList(), servers.get(0).actualPort()));
  }

  /**
   * A router of this node's endpoints, as each of its HTTP servers makes one on its event loop: failures as
   * problems; the open endpoints every node serves ({@code /health}, {@code /ready}, {@code /info},
   * {@code /metrics}); on an instance with {@code GATEWAY_SECRET}, the gateway's signature required beyond them;
   * then the service's route table. The contract tests compare its routes with the service's OpenAPI document.
   */
  public Router router(Vertx vertx) {
    return router(vertx, serving.running(), serving.health());
  }

  private Router router(Vertx vertx, Service.Running running, Health health) {
    Router router = Router.router(vertx);
    Problems.install(router);
    health.mount(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    if (service.discoverable()) { // an instance behind the gateway: beyond the open endpoints above, its requests only
      config.gatewayIdentity().ifPresent(identity -> router.route().handler(identity.requireSigned()));
    }
    running.routes(router, vertx);
    return router;
  }

  private Map<String, Supplier<Future<?>>> readinessChecks(Service.Running running) {
    Map<String, Supplier<Future<?>>> checks = new LinkedHashMap<>();
    checks.put("cluster", () -> cluster.active()
        ? Future.succeededFuture() : Future.failedFuture("not a cluster member"));
    checks.putAll(running.readiness());
    return checks;
  }

  private Future<Void> publish() {
    String host = ClusterNode.httpHost(cluster.hazelcast().getCluster().getLocalMember());
    int port = serving.port();
    Record candidate = ServiceRecords.httpEndpoint(config.serviceName(), config.instanceId(), nodeId(), host, port,
        config.weight());
    return discovery.publish(candidate).map(published -> {
      record = published;
      log.info("Published {} {} at {}:{}", config.serviceName(), config.instanceId(), host, port);
      return null;
    });
  }

  /** Unpublishes, stops the HTTP servers and the service, then leaves the cluster. */
  public Future<Void> stop() {
    Promise<Void> stopped = Promise.promise(); // not bound to a context, for the reason given in start()
    Future<Void> unpublished = record == null
        ? Future.succeededFuture()
        : discovery.unpublish(record.getRegistration()).recover(e -> Future.succeededFuture())
            // Gateways learn of the withdrawal within milliseconds; keep serving a moment so that requests
            // they already sent here (or are about to) still find an open server.
            .compose(v -> config.drainDelayMs() == 0 ? Future.succeededFuture()
                : vertx().timer(config.drainDelayMs()).mapEmpty());
    unpublished
        .compose(v -> Future.join(serving.servers().stream().map(id -> vertx().undeploy(id)).toList()))
        .eventually(serving.running()::stop)
        .onComplete(ignored -> {
          reaper.stop();
          discovery.close();
          cluster.close().onComplete(stopped);
        });
    return stopped.future();
  }

  public Vertx vertx() {
    return cluster.vertx();
  }

  public ClusterNode cluster() {
    return cluster;
  }

  /** How this node traces ({@link Tracing#OFF} without {@code OTEL_EXPORTER_OTLP_ENDPOINT}). */
  public Tracing tracing() {
    return cluster.tracing();
  }

  public ServiceDiscovery discovery() {
    return discovery;
  }

  /** This node's metrics, served at {@code GET /metrics} in the Prometheus format. */
  public MeterRegistry metrics() {
    return metrics;
  }

  public NodeConfig config() {
    return config;
  }

  public String nodeId() {
    return cluster.nodeId();
  }

  /** The HTTP port this node bound. */
  public int port() {
    return serving.port();
  }

  /**
   * What exists once the service has started: its running part, the health endpoints over its checks, and the
   * HTTP servers serving both (their deployments, and the port they share).
   */
  private record Serving(Service.Running running, Health health, List<String> servers, int port) {
  }
}
