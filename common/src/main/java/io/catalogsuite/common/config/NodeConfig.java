package io.catalogsuite.common.config;

import io.catalogsuite.common.cluster.ClusterTls;
import io.catalogsuite.common.http.ConnectionGuard.HttpTimeouts;
import io.catalogsuite.common.http.GatewayIdentity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What every service instance needs to know about itself and its cluster, read once from the environment.
 *
 * @param serviceName   the name it is discovered by, e.g. {@code catalog-service}
 * @param instanceId    {@code INSTANCE_ID}; stamped on every response as {@code X-Instance-Id}
 * @param httpHost      {@code HTTP_HOST}: the interface the HTTP server binds
 * @param httpPort      {@code HTTP_PORT}: 0 binds a free port (the bound one is published)
 * @param httpInstances {@code HTTP_INSTANCES}: HTTP server verticles, one event loop each
 * @param httpTimeouts  {@code HTTP_HEAD_TIMEOUT_MS}: how long a client has to send a request's line and headers
 *                      once it has begun (else 408); {@code HTTP_KEEPALIVE_TIMEOUT_MS}: how long an idle
 *                      connection is kept open ({@code ConnectionGuard}). Keep the latter above the gateway's
 *                      upstream keep-alive (30 s), so that an instance never closes a connection the gateway is
 *                      about to reuse
 * @param publicHost    {@code PUBLIC_HOST}: the host other nodes use to reach this one over HTTP; empty means
 *                      the address this node has in the cluster
 * @param clusterName   {@code CLUSTER_NAME}: members with another name never join
 * @param clusterJoin   {@code CLUSTER_MEMBERS} (a TCP-IP join list, {@code host} or {@code host:port}) or
 *                      {@code CLUSTER_KUBERNETES_SERVICE_DNS} (Kubernetes discovery): how members find each
 *                      other ({@link ClusterJoin})
 * @param clusterHost   {@code CLUSTER_HOST}: the address Hazelcast and the event bus bind and advertise, an IPv4
 *                      pattern that picks the one interface matching it, or {@code auto} ({@link ClusterHost})
 * @param clusterPort   {@code CLUSTER_PORT}: the first Hazelcast port tried; the next free one is taken
 * @param weight        {@code INSTANCE_WEIGHT}: this instance's share under weighted balancing, published in
 *                      discovery
 * @param drainDelayMs  {@code DRAIN_DELAY_MS}: on stop, how long to keep serving after withdrawing from
 *                      discovery, so that gateways stop routing here before the servers close
 * @param cacheWaitSeconds {@code CACHE_WAIT_SECONDS}: how long a member that holds no cluster data (gateway,
 *                      catalog-service) waits at start for cache-service, the members that hold it
 * @param clusterTls    {@code CLUSTER_KEYSTORE}, {@code CLUSTER_KEYSTORE_PASSWORD}: mutual TLS on the event bus
 *                      ({@link ClusterTls}); empty when unset
 * @param gatewayIdentity {@code GATEWAY_SECRET}: with it the gateway signs what it forwards and instances serve
 *                      signed requests only ({@link GatewayIdentity}); empty when unset
 * @param tracing       {@code OTEL_EXPORTER_OTLP_ENDPOINT} and the other OpenTelemetry variables: where the node
 *                      exports its spans, if anywhere ({@link TracingConfig})
 */
public record NodeConfig(
    String serviceName,
    String instanceId,
    String httpHost,
    int httpPort,
    int httpInstances,
    HttpTimeouts httpTimeouts,
    Optional<String> publicHost,
    String clusterName,
    ClusterJoin clusterJoin,
    ClusterHost clusterHost,
    int clusterPort,
    int weight,
    int drainDelayMs,
    int cacheWaitSeconds,
    Optional<ClusterTls> clusterTls,
    Optional<GatewayIdentity> gatewayIdentity,
    TracingConfig tracing) {

  public NodeConfig {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(clusterJoin, "clusterJoin");
    Objects.requireNonNull(tracing, "tracing");
  }

  /** Reads the configuration; {@code defaultPort} is the service's {@code HTTP_PORT} default. */
  public static NodeConfig fromEnv(String serviceName, int defaultPort, Map<String, String> vars) {
    Env env = Env.of(vars);
    return new NodeConfig(
        serviceName,
        env.string("INSTANCE_ID", serviceName + "-" + UUID.randomUUID().toString().substring(0, 8)),
        env.string("HTTP_HOST", "127.0.0.1"), // a process run by hand serves its own machine until told more
        env.integer("HTTP_PORT", defaultPort, 0, 65535),
        env.integer("HTTP_INSTANCES", Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 256),
        new HttpTimeouts(
            Duration.ofMillis(env.integer("HTTP_HEAD_TIMEOUT_MS",
                (int) HttpTimeouts.DEFAULTS.head().toMillis(), 100, 600_000)),
            Duration.ofMillis(env.integer("HTTP_KEEPALIVE_TIMEOUT_MS",
                (int) HttpTimeouts.DEFAULTS.keepAlive().toMillis(), 1_000, 3_600_000))),
        env.optional("PUBLIC_HOST"),
        env.string("CLUSTER_NAME", "catalog-suite"),
        ClusterJoin.fromEnv(env),
        ClusterHost.parse(env.string("CLUSTER_HOST", "127.0.0.1")),
        env.integer("CLUSTER_PORT", 5701, 1, 65535),
        env.integer("INSTANCE_WEIGHT", 1, 1, 1000),
        env.integer("DRAIN_DELAY_MS", 1_000, 0, 60_000),
        env.integer("CACHE_WAIT_SECONDS", 120, 0, 3600),
        ClusterTls.of(env.optional("CLUSTER_KEYSTORE"), env.optional("CLUSTER_KEYSTORE_PASSWORD")),
        GatewayIdentity.of(env.optional("GATEWAY_SECRET")),
        TracingConfig.fromEnv(env, serviceName));
  }

  public NodeConfig withDrainDelayMs(int delayMs) {
    return new NodeConfig(serviceName, instanceId, httpHost, httpPort, httpInstances, httpTimeouts, publicHost,
        clusterName, clusterJoin, clusterHost, clusterPort, weight, delayMs, cacheWaitSeconds, clusterTls,
        gatewayIdentity, tracing);
  }

  public NodeConfig withGatewaySecret(String secret) {
    return new NodeConfig(serviceName, instanceId, httpHost, httpPort, httpInstances, httpTimeouts, publicHost,
        clusterName, clusterJoin, clusterHost, clusterPort, weight, drainDelayMs, cacheWaitSeconds,
        clusterTls, GatewayIdentity.of(Optional.of(secret)), tracing);
  }

  /**
   * What this node runs with, for an operator (the gateway's {@code /admin/config}): every value but the secrets,
   * which show as set or not (the cluster's name is one: whoever knows it may join).
   */
  public JsonObject describe() {
    JsonObject join = clusterJoin instanceof ClusterJoin.TcpIp tcpIp
        ? new JsonObject().put("members", new JsonArray(tcpIp.members()))
        : new JsonObject().put("kubernetesServiceDns", ((ClusterJoin.KubernetesDns) clusterJoin).serviceDns());
    return new JsonObject()
        .put("serviceName", serviceName)
        .put("instanceId", instanceId)
        .put("httpHost", httpHost)
        .put("httpPort", httpPort)
        .put("httpInstances", httpInstances)
        .put("httpHeadTimeoutMs", httpTimeouts.head().toMillis())
        .put("httpKeepAliveTimeoutMs", httpTimeouts.keepAlive().toMillis())
        .put("publicHost", publicHost.orElse(null))
        .put("clusterName", "(set, not shown)")
        .put("clusterJoin", join)
        .put("clusterHost", clusterHost.toString())
        .put("clusterPort", clusterPort)
        .put("weight", weight)
        .put("drainDelayMs", drainDelayMs)
        .put("cacheWaitSeconds", cacheWaitSeconds)
        .put("clusterKeystore", clusterTls.isPresent() ? "(set, not shown)" : null)
        .put("gatewaySecret", gatewayIdentity.isPresent() ? "(set, not shown)" : null)
        .put("tracing", tracing.describe());
  }
}
