package io.catalogsuite.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A gateway of the tests, with the catalog API's shapes: answers at once as "stub-1" and "stub-2" in turn
 * (round-robin, as its {@code /admin/services} says), except while stalled, when it holds every answer until
 * the stall ends (what a paused instance does). It keeps the products created, lists them for any category, and
 * deletes them, so a run's clean-up can be checked; imports are completed at once.
 */
final class Stub implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong();
  private final Set<Long> products = ConcurrentHashMap.newKeySet();
  private volatile long stalledUntilNanos;
  private volatile long stallAtRequest = -1;
  private volatile long stallMillis;

  Stub() throws Exception {
    server = vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** The products created and not deleted. */
  Set<Long> products() {
    return Set.copyOf(products);
  }

  /**
   * When request number {@code request} arrives (counting from 1; the seeding comes first), a stall of
   * {@code millis} begins: nothing is answered until it is over.
   */
  void stallAt(long request, long millis) {
    stallMillis = millis;
    stallAtRequest = request;
  }

  private void answer(HttpServerRequest request) {
    long id = ids.incrementAndGet();
    if (id == stallAtRequest) {
      stalledUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMillis);
    }
    long wait = stalledUntilNanos - System.nanoTime();
    request.body().onSuccess(body -> {
      Runnable respond = () -> respond(request, id);
      if (wait > 0) {
        vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), t -> respond.run());
      } else {
        respond.run();
      }
    });
  }

  private void respond(HttpServerRequest request, long id) {
    var response = request.response().putHeader("X-Instance-Id", "stub-" + (1 + id % 2));
    String path = request.path();
    if (path.equals("/admin/services")) {
      response.end(new JsonObject().put("services", new JsonObject().put("catalog-service", new JsonObject()
          .put("route", "/api/catalog").put("strategy", "round-robin").put("instances", new JsonArray()
              .add(new JsonObject().put("instanceId", "stub-1").put("weight", 1))
              .add(new JsonObject().put("instanceId", "stub-2").put("weight", 1))))).encode());
    } else if (request.method() == HttpMethod.DELETE) {
      products.remove(Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
      response.setStatusCode(204).end();
    } else if (request.method() == HttpMethod.POST && path.equals(Workload.IMPORTS)) {
      response.setStatusCode(202).putHeader("Location", Workload.IMPORTS + "/job-" + id).end("{}");
    } else if (path.startsWith(Workload.IMPORTS)) {
      response.end(new JsonObject().put("state", "completed").encode());
    } else if (request.method() == HttpMethod.POST) {
      if (path.equals(Workload.PRODUCTS)) {
        products.add(id);
      }
      response.setStatusCode(201).end("{\"id\":" + id + "}");
    } else if (request.getParam("category") != null) {
      JsonArray items = new JsonArray();
      products.forEach(product -> items.add(new JsonObject().put("id", product)));
      response.end(new JsonObject().put("items", items).putNull("nextCursor").encode());
    } else {
      response.end("{\"id\":" + id + "}");
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
