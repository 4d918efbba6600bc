package io.catalogsuite.gateway;

import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.gateway.discovery.HealthPolicy;
import io.catalogsuite.gateway.discovery.ServiceDirectory;
import io.catalogsuite.gateway.discovery.Upstream;
import io.catalogsuite.gateway.protect.Principal;
import io.catalogsuite.gateway.proxy.Backend;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to the balancer at runtime, through the admin API: drain an instance (no new requests,
 * those in flight finish), take it out of rotation, restore it, set or clear its weight, reset a service's
 * circuit breaker. Every gateway of the cluster applies each operation: the one that received it at once, the
 * others when it reaches them on the event bus (published to all). Each is written to the {@code audit} log with
 * who asked, on every gateway that applies it.
 *
 * <p>An operation applies to instances as registered now: an instance that restarts registers anew, in
 * rotation, and a gateway that starts later has not seen earlier operations.
 */
final class AdminOperations {
  static final String ADDRESS = "catalog-suite.gateway.admin-operations";
  private static final Logger audit = LoggerFactory.getLogger("audit");

  /** What can be done, by the path segment that names it. */
  enum Action {
    DRAIN, EJECT, RESTORE, SET_WEIGHT, CLEAR_WEIGHT, RESET_BREAKER
  }

  private final Vertx vertx;
  private final ServiceDirectory directory;
  private final Map<String, Backend> backends;
  private final HealthPolicy health;
  private final String gateway;

  /** @param gateway this gateway's instance id: it skips its own operations when they come back to it */
  AdminOperations(Vertx vertx, ServiceDirectory directory, Map<String, Backend> backends, HealthPolicy health,
      String gateway) {
    this.vertx = vertx;
    this.directory = directory;
    this.backends = backends;
    this.health = health;
    this.gateway = gateway;
  }

  /** Applies the other gateways' operations as they arrive. */
  MessageConsumer<JsonObject> listen() {
    return vertx.eventBus().<JsonObject>consumer(ADDRESS, message -> {
      JsonObject operation = message.body();
      if (!gateway.equals(operation.getString("gateway"))) {
        apply(operation);
      }
    });
  }

  /** {@code POST /admin/services/:service/instances/:instance/drain}. */
  void drain(RoutingContext ctx) {
    onInstance(ctx, Action.DRAIN, 0);
  }

  /** {@code POST /admin/services/:service/instances/:instance/eject}: out of rotation until restored. */
  void eject(RoutingContext ctx) {
    onInstance(ctx, Action.EJECT, 0);
  }

  /** {@code POST /admin/services/:service/instances/:instance/restore}. */
  void restore(RoutingContext ctx) {
    onInstance(ctx, Action.RESTORE, 0);
  }

  /** {@code PUT /admin/services/:service/instances/:instance/weight} with {@code {"weight": 1..1000}}. */
  void setWeight(RoutingContext ctx) {
    Object weight = JsonBodies.object(ctx).getValue("weight");
    if (!(weight instanceof Integer w) || w < 1 || w > 1000) {
      throw ProblemException.badRequest("the body must be {\"weight\": n} with n a whole number from 1 to 1000");
    }
    onInstance(ctx, Action.SET_WEIGHT, (Integer) weight);
  }

  /** {@code DELETE /admin/services/:service/instances/:instance/weight}: the published weight again. */
  void clearWeight(RoutingContext ctx) {
    onInstance(ctx, Action.CLEAR_WEIGHT, 0);
  }

  /** {@code POST /admin/services/:service/breaker/reset}: closed again, its failures forgotten. */
  void resetBreaker(RoutingContext ctx) {
    String service = ctx.pathParam("service");
    Backend backend = backends.get(service);
    if (backend == null) {
      throw ProblemException.notFound("no routed service '" + service + "'; routed: " + backends.keySet());
    }
    JsonObject operation = operation(ctx, Action.RESET_BREAKER, service, null, 0);
    apply(operation);
    vertx.eventBus().publish(ADDRESS, operation);
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("service", service).put("circuitBreaker", backend.breakerState()).toBuffer());
  }

  private void onInstance(RoutingContext ctx, Action action, int weight) {
    String service = ctx.pathParam("service");
    String instance = ctx.pathParam("instance");
    List<Upstream> matching = matching(service, instance);
    if (matching.isEmpty()) {
      throw ProblemException.notFound("no instance '" + instance + "' of service '" + service
          + "' in this gateway's discovery");
    }
    JsonObject operation = operation(ctx, action, service, instance, weight);
    apply(operation);
    vertx.eventBus().publish(ADDRESS, operation);
    long now = System.currentTimeMillis();
    ctx.response().putHeader("Content-Type", "application/json")
        .end(new JsonArray(matching.stream().map(u -> u.toJson(now, health)).toList()).toBuffer());
  }

  private JsonObject operation(RoutingContext ctx, Action action, String service, String instance, int weight) {
    return new JsonObject().put("action", action.name()).put("service", service).put("instance", instance)
        .put("weight", weight).put("gateway", gateway)
        .put("by", Principal.of(ctx).map(Principal::id).orElse("anonymous"));
  }

  /** Applies an operation, this gateway's own or another's, and writes it to the audit log. */
  private void apply(JsonObject operation) {
    Action action = Action.valueOf(operation.getString("action"));
    String service = operation.getString("service");
    String instance = operation.getString("instance");
    int weight = operation.getInteger("weight", 0);
    long now = System.currentTimeMillis();
    if (action == Action.RESET_BREAKER) {
      Backend backend = backends.get(service);
      if (backend != null) {
        backend.resetBreaker();
      }
    } else {
      for (Upstream upstream : matching(service, instance)) {
        switch (action) {
          case DRAIN -> upstream.rotation(Upstream.Rotation.DRAINING);
          case EJECT -> upstream.rotation(Upstream.Rotation.OUT);
          case RESTORE -> upstream.restore(now);
          case SET_WEIGHT -> upstream.weightOverride(weight);
          case CLEAR_WEIGHT -> upstream.weightOverride(0);
          default -> throw new IllegalStateException("not an instance's operation: " + action);
        }
      }
    }
    audit.info("admin {} on {}{}{} by {} (received by gateway {})", action.name().toLowerCase(), service,
        instance == null ? "" : "/" + instance, action == Action.SET_WEIGHT ? " weight " + weight : "",
        operation.getString("by"), operation.getString("gateway"));
  }

  private List<Upstream> matching(String service, String instance) {
    return directory.instances(service).stream().filter(u -> u.instanceId().equals(instance)).toList();
  }
}
