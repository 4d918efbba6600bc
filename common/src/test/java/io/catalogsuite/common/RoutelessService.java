package io.catalogsuite.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/** A service of the tests: no routes and no readiness checks of its own; a test gives it a start and a role. */
public interface RoutelessService extends Service {
  /** What such a service runs once started: nothing to route, nothing to check. */
  Running NOTHING = new Running() {
    @Override
    public void routes(Router router, Vertx vertx) {
    }

    @Override
    public Map<String, Supplier<Future<?>>> readiness() {
      return Map.of();
    }
  };
}
