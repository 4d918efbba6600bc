package io.catalogsuite.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseHead;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.ZipfDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * The requests of a run: which operation comes next (by the mix's weights), with what in it, and the products
 * it seeds before and deletes after. Used on the generator's event loop only.
 */
final class Workload {
  static final String PRODUCTS = "/api/catalog/products";
  private static final String[] WORDS = {"lamp", "chair", "desk", "shelf", "kettle", "mug", "rug", "clock"};

  private final LoadOptions options;
  private final String run;
  private final Operation[] wheel;
  private final Well19937c random;
  private final ZipfDistribution popularity;
  /** The hot set, ids in popularity order (Zipf rank 1 is the first). */
  private final List<Long> hot = new ArrayList<>();
  /** Everything this run made, to delete after it. */
  private final List<Long> made = new ArrayList<>();
  private long creates;

  Workload(LoadOptions options, String run) {
    this.options = options;
    this.run = run;
    List<Operation> slots = new ArrayList<>();
    options.mix().forEach((op, weight) -> {
      for (int i = 0; i < weight; i++) {
        slots.add(op);
      }
    });
    this.wheel = slots.toArray(Operation[]::new);
    this.random = new Well19937c(options.seed());
    this.popularity = new ZipfDistribution(random, options.hotSet(), 1.0);
  }

  String category() {
    return "loadgen-" + run;
  }

  Operation nextOperation() {
    return wheel[random.nextInt(wheel.length)];
  }

  /** The request for {@code op}: method, path and body (null for none). */
  Request request(Operation op) {
    return switch (op) {
      case GET -> new Request(HttpMethod.GET, PRODUCTS + "/" + hot.get(popularity.sample() - 1), null);
      case LIST -> new Request(HttpMethod.GET, PRODUCTS + "?limit=20&category=" + category(), null);
      case SEARCH -> new Request(HttpMethod.GET, PRODUCTS + "?limit=20&q=" + WORDS[random.nextInt(WORDS.length)],
          null);
      case CREATE -> new Request(HttpMethod.POST, PRODUCTS, product("c" + ++creates).toBuffer());
    };
  }

  record Request(HttpMethod method, String path, Buffer body) {
  }

  /** Notes a created product's id, from a 201's body, so that it is deleted after the run. */
  void created(Buffer body) {
    try {
      made.add(new JsonObject(body).getLong("id"));
    } catch (RuntimeException e) {
      // a 201 without an id is the service's problem; nothing to delete
    }
  }

  /** Creates the hot set, a few requests at a time (closed loop: this is setup, not measurement). */
  Future<Void> seed(HttpClient client) {
    if (options.mix().getOrDefault(Operation.GET, 0) == 0) {
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int batch = 0; batch < options.hotSet(); batch += 16) {
      int from = batch;
      chain = chain.compose(v -> {
        List<Future<Long>> creating = new ArrayList<>();
        for (int i = from; i < Math.min(from + 16, options.hotSet()); i++) {
          creating.add(send(client, HttpMethod.POST, PRODUCTS, product("h" + i).toBuffer())
              .map(body -> new JsonObject(body).getLong("id")));
        }
        return Future.all(creating).map(all -> {
          creating.forEach(id -> hot.add(id.result()));
          return null;
        });
      });
    }
    return chain.onSuccess(v -> made.addAll(hot));
  }

  /**
   * Deletes everything the run made, 16 at a time; a 429 (the run may have spent the gateway's rate limit) is
   * tried again a second later, up to 30 times. Returns how many could not be deleted.
   */
  Future<Integer> cleanUp(Vertx vertx, HttpClient client) {
    Future<Integer> notDeleted = Future.succeededFuture(0);
    for (int from = 0; from < made.size(); from += 16) {
      List<Long> batch = made.subList(from, Math.min(from + 16, made.size()));
      notDeleted = notDeleted.compose(sum -> {
        List<Future<Void>> deleting = batch.stream().map(id -> delete(vertx, client, id, 30)).toList();
        return Future.join(deleting).otherwiseEmpty()
            .map(v -> sum + (int) deleting.stream().filter(Future::failed).count());
      });
    }
    return notDeleted;
  }

  private Future<Void> delete(Vertx vertx, HttpClient client, long id, int triesLeft) {
    return send(client, HttpMethod.DELETE, PRODUCTS + "/" + id, null).<Void>mapEmpty()
        .recover(e -> {
          if (triesLeft > 1 && e.getMessage() != null && e.getMessage().contains(" 429:")) {
            Promise<Void> later = Promise.promise();
            vertx.setTimer(1_000, t -> delete(vertx, client, id, triesLeft - 1).onComplete(later));
            return later.future();
          }
          return Future.failedFuture(e);
        });
  }

  /** Headers every request carries. */
  Map<String, String> headers() {
    return options.apiKey().map(key -> Map.of("X-API-Key", key, "Content-Type", "application/json"))
        .orElse(Map.of("Content-Type", "application/json"));
  }

  private Future<Buffer> send(HttpClient client, HttpMethod method, String path, Buffer body) {
    RequestOptions request = new RequestOptions().setAbsoluteURI(options.gateway().resolve(path).toString())
        .setMethod(method).setIdleTimeout(options.timeout().toMillis());
    headers().forEach(request::putHeader);
    return client.request(request)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(response -> response.body().compose(content -> ok(response, content)));
  }

  private static Future<Buffer> ok(HttpResponseHead response, Buffer content) {
    return response.statusCode() / 100 == 2 ? Future.succeededFuture(content)
        : Future.failedFuture("setup request got " + response.statusCode() + ": " + content);
  }

  private JsonObject product(String suffix) {
    String word = WORDS[(int) (Math.abs((long) suffix.hashCode()) % WORDS.length)];
    return new JsonObject().put("sku", "LG-" + run + "-" + suffix).put("name", word + " " + suffix)
        .put("description", "a " + word + " made by the load generator").put("priceCents", 100 + suffix.length())
        .put("currency", "EUR").put("stock", 1_000_000).put("category", category());
  }
}
