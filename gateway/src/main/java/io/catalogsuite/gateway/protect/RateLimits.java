package io.catalogsuite.gateway.protect;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rate limits per route, per client.
 *
 * @param defaultLimit   {@code RATE_LIMIT_DEFAULT}: the limit of every route {@code RATE_LIMITS} does not name;
 *                       empty is {@code off}
 * @param routes         {@code RATE_LIMITS}: {@code prefix=limit} pairs, comma-separated; the prefix is a
 *                       route's ({@code GATEWAY_ROUTES}) or {@code /admin}; empty is {@code off}
 * @param scope          {@code RATE_LIMIT_SCOPE}: {@code local} (each gateway its own budget) or {@code cluster}
 *                       (the gateways share one budget per client and route)
 * @param syncIntervalMs {@code RATE_LIMIT_SYNC_MS}: with the cluster scope, how often each gateway publishes its
 *                       consumption and reads the others'
 */
public record RateLimits(Optional<RateLimit> defaultLimit, Map<String, Optional<RateLimit>> routes, Scope scope,
    int syncIntervalMs) {

  /** Generous: an interactive client or a script never notices it; a runaway loop does. */
  static final String DEFAULT_LIMIT = "200/s:400";

  /** Where a client's budget lives. */
  public enum Scope { LOCAL, CLUSTER }

  public RateLimits {
    routes = Map.copyOf(routes);
  }

  static RateLimits fromEnv(Env env) {
    Map<String, Optional<RateLimit>> routes = new LinkedHashMap<>();
    for (String pair : env.list("RATE_LIMITS", "")) {
      String[] parts = pair.split("=", 2);
      if (parts.length != 2 || !parts[0].trim().matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new ConfigException("RATE_LIMITS entries must be /prefix=limit, e.g. /api/catalog=100/s:200, got '"
            + pair + "'");
      }
      if (routes.put(parts[0].trim(), RateLimit.parse("RATE_LIMITS", parts[1].trim())) != null) {
        throw new ConfigException("RATE_LIMITS names " + parts[0].trim() + " twice");
      }
    }
    return new RateLimits(RateLimit.parse("RATE_LIMIT_DEFAULT", env.string("RATE_LIMIT_DEFAULT", DEFAULT_LIMIT)),
        routes, env.choice("RATE_LIMIT_SCOPE", Scope.class, Scope.LOCAL),
        env.integer("RATE_LIMIT_SYNC_MS", 200, 10, 60_000));
  }

  /** The limit of the route with this prefix, or empty when it has none. */
  Optional<RateLimit> forPrefix(String prefix) {
    return routes.getOrDefault(prefix, defaultLimit);
  }

  /** Fails unless every prefix in {@code RATE_LIMITS} is one of {@code known}: a typo would limit nothing. */
  void requireKnownPrefixes(List<String> known) {
    routes.keySet().stream().filter(prefix -> !known.contains(prefix)).findFirst().ifPresent(prefix -> {
      throw new ConfigException("RATE_LIMITS names " + prefix + ", which is not one of " + known);
    });
  }
}
