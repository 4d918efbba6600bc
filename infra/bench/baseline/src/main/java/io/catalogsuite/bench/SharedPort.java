package io.catalogsuite.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/** Servers deployed one per event loop, all on one port, as the suite's services run theirs. */
final class SharedPort {
  private SharedPort() {
  }

  /**
   * Deploys {@code instances} verticles made by {@code make} for the port to listen on, and completes with the port
   * they bound ({@code boundPort} of the first). Vert.x shares a port among the servers that listen on it; for
   * {@code port} 0 (any free port) they are given -1, which shares one free port, where 0 would give each its own.
   */
  static <V extends VerticleBase> Future<Integer> deploy(Vertx vertx, int port, int instances, IntFunction<V> make,
      ToIntFunction<V> boundPort) {
    int shared = port == 0 ? -1 : port;
    List<V> servers = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      V server = make.apply(shared);
      servers.add(server);
      return server;
    }, new DeploymentOptions().setInstances(instances)).map(id -> boundPort.applyAsInt(servers.get(0)));
  }
}
