package io.catalogsuite.gateway;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gateway's own configuration, read once from the environment.
 *
 * @param routes                {@code GATEWAY_ROUTES}: {@code prefix=service} pairs, comma-separated
 * @param upstreamTimeoutMs     {@code UPSTREAM_TIMEOUT_MS}: an upstream silent this long gets a 504
 * @param connectTimeoutMs      {@code UPSTREAM_CONNECT_TIMEOUT_MS}: connecting longer than this is a connect failure
 * @param maxBodyBytes          {@code GATEWAY_MAX_BODY_BYTES}: larger request bodies get a 413
 * @param healthProbeIntervalMs {@code HEALTH_PROBE_INTERVAL_MS}: how often an instance out of rotation is probed
 */
public record GatewayConfig(List<Route> routes, int upstreamTimeoutMs, int connectTimeoutMs, int maxBodyBytes,
    int healthProbeIntervalMs) {

  static final String DEFAULT_ROUTES = "/api/catalog=catalog-service,/api/cache=cache-service";

  /** Requests whose path starts with {@code prefix} go to {@code service}, without the prefix. */
  public record Route(String prefix, String service) {
    public Route {
      if (!prefix.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new ConfigException("GATEWAY_ROUTES: a prefix must look like /api/name, got '" + prefix + "'");
      }
      if (!service.matches("[A-Za-z0-9._-]+")) {
        throw new ConfigException("GATEWAY_ROUTES: invalid service name '" + service + "'");
      }
    }
  }

  public GatewayConfig {
    routes = List.copyOf(routes);
  }

  public static GatewayConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    return new GatewayConfig(
        routes(env.list("GATEWAY_ROUTES", DEFAULT_ROUTES)),
        env.integer("UPSTREAM_TIMEOUT_MS", 10_000, 1, 3_600_000),
        env.integer("UPSTREAM_CONNECT_TIMEOUT_MS", 2_000, 1, 60_000),
        env.integer("GATEWAY_MAX_BODY_BYTES", 10 * 1024 * 1024, 1, Integer.MAX_VALUE),
        env.integer("HEALTH_PROBE_INTERVAL_MS", 1_000, 10, 600_000));
  }

  static List<Route> routes(List<String> pairs) {
    List<Route> routes = new ArrayList<>();
    for (String pair : pairs) {
      String[] parts = pair.split("=", 2);
      if (parts.length != 2) {
        throw new ConfigException("GATEWAY_ROUTES entries must be prefix=service, got '" + pair + "'");
      }
      routes.add(new Route(parts[0].trim(), parts[1].trim()));
    }
    if (routes.isEmpty()) {
      throw new ConfigException("GATEWAY_ROUTES must name at least one route");
    }
    return routes;
  }
}
