package io.catalogsuite.loadgen;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream of the tests: answers at once as "stub-1" and "stub-2" in turn, except while stalled, when it
 * holds every answer until the stall ends (what a paused instance does).
 */
final class Stub implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final AtomicLong ids = new AtomicLong();
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
      Runnable respond = () -> request.response()
          .putHeader("X-Instance-Id", "stub-" + (1 + id % 2))
          .setStatusCode(request.method() == HttpMethod.POST ? 201
              : request.method() == HttpMethod.DELETE ? 204 : 200)
          .end(request.method() == HttpMethod.DELETE ? "" : "{\"id\":" + id + "}");
      if (wait > 0) {
        vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), t -> respond.run());
      } else {
        respond.run();
      }
    });
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
