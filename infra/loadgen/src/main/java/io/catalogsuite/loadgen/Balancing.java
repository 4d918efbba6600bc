package io.catalogsuite.loadgen;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How the gateway balances the catalog route, as its {@code GET /admin/services} says: the strategy and each
 * instance's weight. Read once before the run (it needs the admin role); unknown without it.
 *
 * @param strategy the strategy's name, e.g. {@code round-robin}; empty when the gateway would not say
 * @param weights  each instance's weight, by instance id
 */
record Balancing(Optional<String> strategy, Map<String, Integer> weights) {
  static final String CATALOG_ROUTE = "/api/catalog";
  static final Balancing UNKNOWN = new Balancing(Optional.empty(), Map.of());

  Balancing {
    weights = Map.copyOf(weights);
  }

  /** The catalog route's balancing, or {@link #UNKNOWN} when the key may not see it (or the answer is odd). */
  static Future<Balancing> of(HttpClient client, Workload workload, LoadOptions options) {
    RequestOptions request = workload.withKey(new RequestOptions()
        .setAbsoluteURI(options.gateway().resolve("/admin/services").toString())
        .setMethod(HttpMethod.GET).setIdleTimeout(options.timeout().toMillis()));
    return client.request(request)
        .compose(r -> r.send())
        .compose(response -> response.body().map(body -> response.statusCode() == 200
            ? parse(new JsonObject(body)) : UNKNOWN))
        .otherwise(UNKNOWN);
  }

  static Balancing parse(JsonObject services) {
    for (Map.Entry<String, Object> service : services.getJsonObject("services", new JsonObject())) {
      JsonObject described = (JsonObject) service.getValue();
      if (CATALOG_ROUTE.equals(described.getString("route"))) {
        Map<String, Integer> weights = new TreeMap<>();
        described.getJsonArray("instances").forEach(instance -> {
          JsonObject json = (JsonObject) instance;
          weights.put(json.getString("instanceId"), json.getInteger("weight", 1));
        });
        return new Balancing(Optional.ofNullable(described.getString("strategy")), weights);
      }
    }
    return UNKNOWN;
  }
}
