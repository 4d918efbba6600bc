package io.catalogsuite.launcher.consistency;

import io.catalogsuite.common.http.GatewayIdentity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Clients that write and read a few products on several instances at once, for as long as they are told, and
 * record every operation with when it was invoked and when it completed ({@link Op}). Each client sends its next
 * operation as soon as its last one is answered, to an instance and a product chosen at random (a seeded random
 * per client).
 */
final class Workload {
  /** An operation to an instance that does not answer (paused) fails after this long. */
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final Map<String, Integer> instances;
  private final Map<Long, JsonObject> products;
  private final GatewayIdentity gateway;
  private final Queue<Op> history = new ConcurrentLinkedQueue<>();

  /**
   * @param instances the catalog instances, by name, with their HTTP port
   * @param products  the products to work on, by id, as created (a write sends them back with a new name)
   * @param gateway   signs every request as the deployment's gateway would: the instances serve nothing else
   */
  Workload(Vertx vertx, Map<String, Integer> instances, Map<Long, JsonObject> products, GatewayIdentity gateway) {
    this.client = WebClient.create(vertx, new WebClientOptions(),
        new PoolOptions().setHttp1MaxSize(64));
    this.instances = Map.copyOf(instances);
    this.products = Map.copyOf(products);
    this.gateway = gateway;
  }

  /** Runs {@code writers} and {@code readers} clients for {@code duration}; completes when all have stopped. */
  Future<Void> run(int writers, int readers, Duration duration, long seed) {
    long deadline = System.nanoTime() + duration.toNanos();
    List<Future<Void>> clients = new ArrayList<>();
    for (int i = 0; i < writers + readers; i++) {
      Promise<Void> stopped = Promise.promise();
      loop(i < writers ? Op.Kind.WRITE : Op.Kind.READ, new Random(seed + i), deadline, stopped);
      clients.add(stopped.future());
    }
    return Future.join(clients).mapEmpty();
  }

  /** What the clients did so far. */
  List<Op> history() {
    return List.copyOf(history);
  }

  private void loop(Op.Kind kind, Random random, long deadline, Promise<Void> stopped) {
    if (System.nanoTime() - deadline > 0) {
      stopped.complete();
      return;
    }
    List<String> names = List.copyOf(instances.keySet());
    String instance = names.get(random.nextInt(names.size()));
    List<Long> ids = List.copyOf(products.keySet());
    long product = ids.get(random.nextInt(ids.size()));
    long invoked = System.nanoTime();
    Future<HttpResponse<Buffer>> sent = kind == Op.Kind.WRITE
        ? request(HttpMethod.PUT, instance, product)
            .sendJsonObject(products.get(product).copy().put("name", "written " + invoked))
        : request(HttpMethod.GET, instance, product).send();
    sent.onComplete(answer -> {
      long completed = System.nanoTime();
      history.add(answer.succeeded() ? op(kind, product, instance, invoked, completed, answer.result())
          : new Op(kind, product, instance, invoked, completed, -1, false));
      loop(kind, random, deadline, stopped);
    });
  }

  private io.vertx.ext.web.client.HttpRequest<Buffer> request(HttpMethod method, String instance, long product) {
    return client.request(method, instances.get(instance), "127.0.0.1", "/products/" + product)
        .putHeader(GatewayIdentity.HEADER, gateway.signature())
        .timeout(REQUEST_TIMEOUT_MS);
  }

  private static Op op(Op.Kind kind, long product, String instance, long invoked, long completed,
      HttpResponse<Buffer> response) {
    if (response.statusCode() == 404 && kind == Op.Kind.READ) {
      return new Op(kind, product, instance, invoked, completed, 0, true);
    }
    String etag = response.getHeader("ETag");
    boolean ok = response.statusCode() == 200 && etag != null;
    long version = ok ? Long.parseLong(etag.replace("\"", "")) : -1;
    return new Op(kind, product, instance, invoked, completed, version, ok);
  }

  void close() {
    client.close();
  }
}
