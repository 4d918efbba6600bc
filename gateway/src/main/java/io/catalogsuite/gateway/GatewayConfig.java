package io.catalogsuite.gateway;

import io.catalogsuite.common.config.ConfigException;
import io.catalogsuite.common.config.Env;
import io.catalogsuite.common.http.MediaTypes;
import io.catalogsuite.common.http.OpenApiDocument;
import io.catalogsuite.gateway.balance.Strategy;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.docs.DocsPage;
import io.catalogsuite.gateway.protect.Protection;
import io.catalogsuite.gateway.proxy.Resilience;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's own configuration, read once from the environment.
 *
 * @param routes                {@code GATEWAY_ROUTES}: {@code prefix=service} pairs, comma-separated
 * @param upstreamTimeoutMs     {@code UPSTREAM_TIMEOUT_MS}: an upstream silent this long gets a 504 (unless
 *                              the route has its own, in {@code routeTimeouts})
 * @param connectTimeoutMs      {@code UPSTREAM_CONNECT_TIMEOUT_MS}: connecting longer than this is a connect failure
 * @param maxBodyBytes          {@code GATEWAY_MAX_BODY_BYTES}: larger request bodies get a 413, except streamed ones
 * @param streamedTypes         {@code GATEWAY_STREAMED_TYPES}: media types (lower case, no parameters) whose request
 *                              bodies are piped to the upstream as they arrive, never buffered, never limited by
 *                              {@code maxBodyBytes} (the upstream enforces its own limit) and never retried (see
 *                              {@link io.catalogsuite.gateway.proxy.ProxyHandler})
 * @param health                when instances are taken out of rotation and brought back (see {@link HealthPolicy})
 * @param balancing             {@code GATEWAY_BALANCING}: {@code service=strategy[:header]} pairs; services not
 *                              named use round-robin
 * @param weights               {@code GATEWAY_WEIGHTS}: {@code instanceId=weight} pairs, overriding the weight
 *                              an instance publishes ({@code INSTANCE_WEIGHT})
 * @param routeTimeouts         {@code ROUTE_TIMEOUTS}: {@code prefix=milliseconds} pairs, per-route timeouts
 * @param resilience            retries, retry budget and circuit breaker (see {@link Resilience})
 * @param clients               what the gateway accepts from clients (see {@link ClientLimits})
 * @param streams               how many event streams may be open (see {@link StreamLimits})
 */
public record GatewayConfig(List<Route> routes, int upstreamTimeoutMs, int connectTimeoutMs, int maxBodyBytes,
    Set<String> streamedTypes, HealthPolicy health, Map<String, Balancing> balancing, Map<String, Integer> weights,
    Map<String, Integer> routeTimeouts, Resilience resilience, ClientLimits clients, StreamLimits streams) {

  static final String DEFAULT_ROUTES = "/api/catalog=catalog-service,/api/cache=cache-service";
  /** What the gateway serves itself, which no route's prefix may reach into. */
  static final List<String> OWN_PATHS = List.of(Protection.ADMIN_PREFIX, DocsPage.PATH, OpenApiDocument.PATH,
      "/health", "/ready", "/info", "/metrics");
  static final String DEFAULT_STREAMED_TYPES = "application/x-ndjson";
  /** A media type without parameters or wildcards: RFC 6838's restricted-name, twice, in lower case. */
  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

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

  /**
   * What the gateway accepts from clients.
   *
   * @param maxHeaderBytes     {@code GATEWAY_MAX_HEADER_BYTES}: larger request headers get a 431
   * @param idleTimeoutSeconds {@code GATEWAY_CLIENT_IDLE_TIMEOUT_SECONDS}: a client connection silent this long
   *                           (a slow or stuck client) is closed
   * @param compression        {@code GATEWAY_COMPRESSION}: gzip/deflate responses for clients that accept it
   * @param corsOrigins        {@code GATEWAY_CORS_ORIGINS}: origins allowed cross-origin requests (none: CORS off)
   */
  public record ClientLimits(int maxHeaderBytes, int idleTimeoutSeconds, boolean compression,
      List<String> corsOrigins) {
    public ClientLimits {
      corsOrigins = List.copyOf(corsOrigins);
    }

    static ClientLimits fromEnv(Env env) {
      return new ClientLimits(
          env.integer("GATEWAY_MAX_HEADER_BYTES", 8 * 1024, 1024, 1024 * 1024),
          env.integer("GATEWAY_CLIENT_IDLE_TIMEOUT_SECONDS", 30, 1, 3600),
          env.bool("GATEWAY_COMPRESSION", true),
          env.list("GATEWAY_CORS_ORIGINS", ""));
    }
  }

  /**
   * Long-lived event streams (see {@link io.catalogsuite.gateway.proxy.EventStreams}).
   *
   * @param paths       {@code GATEWAY_EVENT_STREAM_PATHS}: paths (as clients send them, prefix included) that are
   *                    event streams whatever the request's {@code Accept}; any GET that accepts
   *                    {@code text/event-stream} is one too
   * @param perInstance {@code GATEWAY_EVENT_STREAMS_PER_INSTANCE}: streams open at once to one instance
   * @param perClient   {@code GATEWAY_EVENT_STREAMS_PER_CLIENT}: streams one client may hold open at once
   */
  public record StreamLimits(Set<String> paths, int perInstance, int perClient) {
    public static final StreamLimits DEFAULT = new StreamLimits(Set.of("/api/catalog/events"), 256, 8);

    public StreamLimits {
      paths = Set.copyOf(paths);
      for (String path : paths) {
        if (!path.matches("(/[A-Za-z0-9._~-]+)+")) {
          throw new ConfigException("GATEWAY_EVENT_STREAM_PATHS entries must be paths like /api/catalog/events, "
              + "got '" + path + "'");
        }
      }
    }

    static StreamLimits fromEnv(Env env) {
      return new StreamLimits(
          Set.copyOf(env.list("GATEWAY_EVENT_STREAM_PATHS", String.join(",", DEFAULT.paths()))),
          env.integer("GATEWAY_EVENT_STREAMS_PER_INSTANCE", DEFAULT.perInstance(), 1, 100_000),
          env.integer("GATEWAY_EVENT_STREAMS_PER_CLIENT", DEFAULT.perClient(), 1, 100_000));
    }
  }

  public GatewayConfig {
    routes = List.copyOf(routes);
    streamedTypes = Set.copyOf(streamedTypes);
    balancing = Map.copyOf(balancing);
    weights = Map.copyOf(weights);
    routeTimeouts = Map.copyOf(routeTimeouts);
    // A name that matches nothing is a typo: it would be ignored, silently.
    List<String> services = routes.stream().map(Route::service).distinct().toList();
    List<String> prefixes = routes.stream().map(Route::prefix).toList();
    for (String service : balancing.keySet()) {
      ConfigException.require(services.contains(service),
          "GATEWAY_BALANCING names '%s', which no route leads to; the routed services are %s", service, services);
    }
    for (String prefix : routeTimeouts.keySet()) {
      ConfigException.require(prefixes.contains(prefix),
          "ROUTE_TIMEOUTS names '%s', which is no route's prefix; the routes are %s", prefix, prefixes);
    }
    for (String instance : weights.keySet()) {
      // Instances come and go, so a weight may name one not started yet; it must at least be an instance id.
      ConfigException.require(instance.matches("[A-Za-z0-9._-]+"),
          "GATEWAY_WEIGHTS names '%s', which is no instance id (letters, digits, '.', '_', '-')", instance);
    }
  }

  /** The timeout of a route: its own, else {@code UPSTREAM_TIMEOUT_MS}. */
  public int timeoutOf(Route route) {
    return routeTimeouts.getOrDefault(route.prefix(), upstreamTimeoutMs);
  }

  /**
   * Whether a request body with this {@code Content-Type} is streamed rather than buffered: its media type, in any
   * case and whatever its parameters, is one of {@code GATEWAY_STREAMED_TYPES}.
   */
  public boolean streams(String contentType) {
    return contentType != null && streamedTypes.contains(MediaTypes.of(contentType));
  }

  /** Every value, for an operator ({@code /admin/config}); this configuration holds no secret. */
  public JsonObject describe() {
    JsonObject routesJson = new JsonObject();
    routes.forEach(route -> routesJson.put(route.prefix(), new JsonObject().put("service", route.service())
        .put("timeoutMs", timeoutOf(route)).put("balancing", balancingOf(route.service()).strategy().id())
        .put("hashHeader", balancingOf(route.service()).hashHeader())));
    JsonObject weightsJson = new JsonObject();
    weights.forEach(weightsJson::put);
    return new JsonObject()
        .put("routes", routesJson)
        .put("upstreamTimeoutMs", upstreamTimeoutMs)
        .put("connectTimeoutMs", connectTimeoutMs)
        .put("maxBodyBytes", maxBodyBytes)
        .put("streamedTypes", new JsonArray(streamedTypes.stream().sorted().toList()))
        .put("weights", weightsJson)
        .put("health", new JsonObject().put("ejectAfterFailures", health.ejectAfterFailures())
            .put("ejectBaseMs", health.ejectBaseMs()).put("ejectMaxMs", health.ejectMaxMs())
            .put("panicPercent", health.panicPercent()).put("probeIntervalMs", health.probeIntervalMs())
            .put("unhealthyAfter", health.unhealthyAfter()).put("healthyAfter", health.healthyAfter())
            .put("slowStartMs", health.slowStartMs()))
        .put("resilience", new JsonObject().put("maxRetries", resilience.maxRetries())
            .put("backoffBaseMs", resilience.backoffBaseMs()).put("backoffMaxMs", resilience.backoffMaxMs())
            .put("budgetPercent", resilience.budgetPercent()).put("budgetMinRetries", resilience.budgetMinRetries())
            .put("breakerMaxFailures", resilience.breakerMaxFailures())
            .put("breakerWindowMs", resilience.breakerWindowMs()).put("breakerResetMs", resilience.breakerResetMs()))
        .put("clients", new JsonObject().put("maxHeaderBytes", clients.maxHeaderBytes())
            .put("idleTimeoutSeconds", clients.idleTimeoutSeconds()).put("compression", clients.compression())
            .put("corsOrigins", new JsonArray(clients.corsOrigins())))
        .put("eventStreams", new JsonObject().put("paths", new JsonArray(streams.paths().stream().sorted().toList()))
            .put("perInstance", streams.perInstance()).put("perClient", streams.perClient()));
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
        streamedTypes(env.list("GATEWAY_STREAMED_TYPES", DEFAULT_STREAMED_TYPES)),
        HealthPolicy.fromEnv(env),
        balancing(env.list("GATEWAY_BALANCING", "")),
        positiveInts("GATEWAY_WEIGHTS", env.list("GATEWAY_WEIGHTS", ""), 1000),
        positiveInts("ROUTE_TIMEOUTS", env.list("ROUTE_TIMEOUTS", ""), 3_600_000),
        Resilience.fromEnv(env),
        ClientLimits.fromEnv(env),
        StreamLimits.fromEnv(env));
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

  /** Media types like {@code application/x-ndjson}, compared in lower case; {@code none} alone for none. */
  static Set<String> streamedTypes(List<String> entries) {
    if (entries.equals(List.of("none"))) {
      return Set.of();
    }
    if (entries.isEmpty()) {
      throw new ConfigException("GATEWAY_STREAMED_TYPES must name at least one media type, or be 'none'");
    }
    Set<String> types = new LinkedHashSet<>();
    for (String entry : entries) {
      String type = entry.toLowerCase(Locale.ROOT);
      if (!MEDIA_TYPE.matcher(type).matches()) {
        throw new ConfigException("GATEWAY_STREAMED_TYPES entries must be media types without parameters or "
            + "wildcards, like application/x-ndjson (or 'none' alone), got '" + entry + "'");
      }
      types.add(type);
    }
    return types;
  }

  /** {@code name=value} pairs with values from 1 to {@code max}. */
  static Map<String, Integer> positiveInts(String variable, List<String> pairs, int max) {
    Map<String, Integer> values = new LinkedHashMap<>();
    for (String pair : pairs) {
      String[] parts = pair.split("=", 2);
      try {
        int value = Integer.parseInt(parts[1].trim());
        if (value >= 1 && value <= max) {
          values.put(parts[0].trim(), value);
          continue;
        }
      } catch (RuntimeException ignored) {
        // reported below
      }
      throw new ConfigException(variable + " entries must be name=value with a value from 1 to " + max
          + ", got '" + pair + "'");
    }
    return values;
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
    // A request goes to one route, whatever the order they are listed or mounted in.
    for (Route route : routes) {
      for (String own : OWN_PATHS) {
        ConfigException.require(!under(route.prefix(), own),
            "GATEWAY_ROUTES: '%s' lies under the gateway's own %s; its own paths are %s", route.prefix(), own,
            OWN_PATHS);
      }
      for (Route other : routes) {
        ConfigException.require(other == route || !under(other.prefix(), route.prefix()),
            "GATEWAY_ROUTES: '%s' lies under '%s': a request to it would match both", other.prefix(), route.prefix());
      }
    }
    return routes;
  }

  /** Whether {@code path} is {@code prefix} or below it, segment by segment. */
  private static boolean under(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }
}
