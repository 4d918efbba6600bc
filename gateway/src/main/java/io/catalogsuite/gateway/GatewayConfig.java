package io.catalogsuite.gateway;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.catalogsuite.gateway.balance.Strategy;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's own configuration, read once from the environment.
 *
 * @param routes                {@code GATEWAY_ROUTES}: {@code prefix=service} pairs, comma-separated
 * @param upstreamTimeoutMs     {@code UPSTREAM_TIMEOUT_MS}: an upstream silent this long gets a 504
 * @param connectTimeoutMs      {@code UPSTREAM_CONNECT_TIMEOUT_MS}: connecting longer than this is a connect failure
 * @param maxBodyBytes          {@code GATEWAY_MAX_BODY_BYTES}: larger request bodies get a 413
 * @param health                when instances are taken out of rotation and brought back (see {@link HealthPolicy})
 * @param balancing             {@code GATEWAY_BALANCING}: {@code service=strategy[:header]} pairs; services not
 *                              named use round-robin
 * @param weights               {@code GATEWAY_WEIGHTS}: {@code instanceId=weight} pairs, overriding the weight
 *                              an instance publishes ({@code INSTANCE_WEIGHT})
 */
public record GatewayConfig(List<Route> routes, int upstreamTimeoutMs, int connectTimeoutMs, int maxBodyBytes,
    HealthPolicy health, Map<String, Balancing> balancing, Map<String, Integer> weights) {

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

  /**
   * How one service's instances are chosen.
   *
   * @param hashHeader for consistent hashing: the request header whose value is the key; null hashes on the
   *                   client address (also the fallback when a request lacks the header)
   */
  public record Balancing(Strategy strategy, String hashHeader) {
    static final Balancing DEFAULT = new Balancing(Strategy.ROUND_ROBIN, null);
  }

  public GatewayConfig {
    routes = List.copyOf(routes);
    balancing = Map.copyOf(balancing);
    weights = Map.copyOf(weights);
  }

  /** The services the routes lead to, each once, in route order. */
  public List<String> services() {
    return routes.stream().map(Route::service).distinct().toList();
  }

  /** The balancing of {@code service}: as configured, else round-robin. */
  public Balancing balancingOf(String service) {
    return balancing.getOrDefault(service, Balancing.DEFAULT);
  }

  public static GatewayConfig fromEnv(Map<String, String> vars) {
    Env env = Env.of(vars);
    return new GatewayConfig(
        routes(env.list("GATEWAY_ROUTES", DEFAULT_ROUTES)),
        env.integer("UPSTREAM_TIMEOUT_MS", 10_000, 1, 3_600_000),
        env.integer("UPSTREAM_CONNECT_TIMEOUT_MS", 2_000, 1, 60_000),
        env.integer("GATEWAY_MAX_BODY_BYTES", 10 * 1024 * 1024, 1, Integer.MAX_VALUE),
        HealthPolicy.fromEnv(env),
        balancing(env.list("GATEWAY_BALANCING", "")),
        weights(env.list("GATEWAY_WEIGHTS", "")));
  }

  static Map<String, Balancing> balancing(List<String> pairs) {
    Map<String, Balancing> balancing = new LinkedHashMap<>();
    for (String pair : pairs) {
      String[] parts = pair.split("=", 2);
      if (parts.length != 2) {
        throw new ConfigException("GATEWAY_BALANCING entries must be service=strategy[:header], got '" + pair + "'");
      }
      String[] strategyAndHeader = parts[1].split(":", 2);
      Strategy strategy = Strategy.of(strategyAndHeader[0]);
      String header = strategyAndHeader.length == 2 ? strategyAndHeader[1].trim() : null;
      if (header != null && strategy != Strategy.CONSISTENT_HASH) {
        throw new ConfigException("GATEWAY_BALANCING: only consistent-hash takes a header, got '" + pair + "'");
      }
      balancing.put(parts[0].trim(), new Balancing(strategy, header));
    }
    return balancing;
  }

  static Map<String, Integer> weights(List<String> pairs) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String pair : pairs) {
      String[] parts = pair.split("=", 2);
      try {
        int weight = Integer.parseInt(parts[1].trim());
        if (weight >= 1 && weight <= 1000) {
          weights.put(parts[0].trim(), weight);
          continue;
        }
      } catch (RuntimeException ignored) {
        // reported below
      }
      throw new ConfigException("GATEWAY_WEIGHTS entries must be instanceId=weight (1-1000), got '" + pair + "'");
    }
    return weights;
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
