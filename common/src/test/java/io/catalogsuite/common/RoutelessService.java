package io.catalogsuite.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.function.Supplier;

/** A service of the tests: no routes and no readiness checks of its own; a test gives it a start and a role. */
public interface RoutelessService extends Service {
  @Override
  default void routes(Router router, Vertx vertx) {
  }

  @Override
  default Map<String, Supplier<Future<?>>> readiness() {
    return Map.of();
  }
}
