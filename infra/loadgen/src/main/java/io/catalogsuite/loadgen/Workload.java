package io.catalogsuite.loadgen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.commons.math3.distribution.ZipfDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * The requests of a run: which operation comes next (by the mix's weights), with what in it, the hot set it
 * seeds before, and the clean-up after: every product of the run is in a category of its own
 * ({@code loadgen-<run>}), so the clean-up waits for the run's imports to complete, lists that category and
 * deletes what it holds. Used on the generator's event loop only.
 */
final class Workload {
  static final String PRODUCTS = "/api/catalog/products";
  static final String IMPORTS = "/api/catalog/imports";
  static final String JSON = "application/json";
  static final String NDJSON = "application/x-ndjson";
  /** Products in each import of the mix. */
  static final int IMPORT_LINES = 10;
  private static final String[] WORDS = {"lamp", "chair", "desk", "shelf", "kettle", "mug", "rug", "clock"};
  private static final Set<String> FINISHED_IMPORT = Set.of("completed", "aborted");

  private final LoadOptions options;
  private final String run;
  private final Operation[] wheel;
  private final Well19937c random;
  private final ZipfDistribution popularity;
  /** The hot set, ids in popularity order (Zipf rank 1 is the first). */
  private final List<Long> hot = new ArrayList<>();
  /** The imports the run started (their {@code Location}s), waited for before the clean-up. */
  private final List<String> imports = new ArrayList<>();
  private long made;

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

  /** Whether the mix needs the hot set seeded. */
  boolean seeds() {
    return options.mix().entrySet().stream().anyMatch(e -> e.getValue() > 0 && e.getKey().needsHotSet());
  }

  Operation nextOperation() {
    return wheel[random.nextInt(wheel.length)];
  }

  /** The request for {@code op}. */
  Request request(Operation op) {
    return switch (op) {
      case GET -> Request.get(PRODUCTS + "/" + popular());
      case LIST -> Request.get(PRODUCTS + "?limit=20&category=" + category());
      case SEARCH -> Request.get(PRODUCTS + "?limit=20&q=" + WORDS[random.nextInt(WORDS.length)]);
      case CREATE -> new Request(HttpMethod.POST, PRODUCTS, JSON, product("c" + ++made).toBuffer());
      case RESERVE -> new Request(HttpMethod.POST, PRODUCTS + "/" + popular() + "/reservations", JSON,
          new JsonObject().put("quantity", 1).toBuffer());
      case IMPORT -> new Request(HttpMethod.POST, IMPORTS, NDJSON, importLines());
    };
  }

  /** One request: method, path, and a body of a media type, or none (both null). */
  record Request(HttpMethod method, String path, String contentType, Buffer body) {
    static Request get(String path) {
      return new Request(HttpMethod.GET, path, null, null);
    }
  }

  /** Notes what an answer tells the clean-up: where an accepted import can be followed. */
  void answered(Operation op, HttpClientResponse response) {
    String location = response.getHeader("Location");
    if (op == Operation.IMPORT && response.statusCode() == 202 && location != null) {
      imports.add(location);
    }
  }

  private long popular() {
    return hot.get(popularity.sample() - 1);
  }

  private Buffer importLines() {
    long batch = ++made;
    Buffer lines = Buffer.buffer();
    for (int i = 0; i < IMPORT_LINES; i++) {
      lines.appendBuffer(product("i" + batch + "-" + i).toBuffer()).appendString("\n");
    }
    return lines;
  }

  /** Creates the hot set, a few requests at a time (closed loop: this is setup, not measurement). */
  Future<Void> seed(HttpClient client) {
    if (!seeds()) {
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
    return chain;
  }

  /**
   * Waits for the run's imports to finish (each at most a minute), then deletes every product of the run's
   * category, 16 at a time; a 429 (the run may have spent the gateway's rate limit) is tried again a second
   * later, up to 30 times. Returns how many could not be deleted.
   */
  Future<Integer> cleanUp(Vertx vertx, HttpClient client) {
    Future<Void> imported = Future.join(imports.stream().map(job -> finished(vertx, client, job, 300)).toList())
        .otherwiseEmpty().mapEmpty();
    return imported.compose(v -> listCategory(client, null, new ArrayList<>())).compose(ids -> {
      Future<Integer> notDeleted = Future.succeededFuture(0);
      for (int from = 0; from < ids.size(); from += 16) {
        List<Long> batch = ids.subList(from, Math.min(from + 16, ids.size()));
        notDeleted = notDeleted.compose(sum -> {
          List<Future<Void>> deleting = batch.stream()
              .map(id -> retried(vertx, 30, () -> send(client, HttpMethod.DELETE, PRODUCTS + "/" + id, null))
                  .<Void>mapEmpty())
              .toList();
          return Future.join(deleting).otherwiseEmpty()
              .map(done -> sum + (int) deleting.stream().filter(Future::failed).count());
        });
      }
      return notDeleted;
    });
  }

  /** Polls an import every 200 ms until it has completed or aborted. */
  private Future<Void> finished(Vertx vertx, HttpClient client, String job, int pollsLeft) {
    return send(client, HttpMethod.GET, job, null).compose(body -> {
      if (FINISHED_IMPORT.contains(new JsonObject(body).getString("state")) || pollsLeft <= 1) {
        return Future.succeededFuture();
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(200, t -> finished(vertx, client, job, pollsLeft - 1).onComplete(later));
      return later.future();
    });
  }

  /** Every id of the run's category, page by page (the keyset cursor of {@code nextCursor}). */
  private Future<List<Long>> listCategory(HttpClient client, String cursor, List<Long> ids) {
    String page = PRODUCTS + "?limit=100&category=" + category() + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    return send(client, HttpMethod.GET, page, null).compose(body -> {
      JsonObject json = new JsonObject(body);
      JsonArray items = json.getJsonArray("items", new JsonArray());
      items.forEach(item -> ids.add(((JsonObject) item).getLong("id")));
      String next = json.getString("nextCursor");
      return next == null || items.isEmpty() ? Future.succeededFuture(ids) : listCategory(client, next, ids);
    });
  }

  private static <T> Future<T> retried(Vertx vertx, int triesLeft, Supplier<Future<T>> call) {
    return call.get().recover(e -> {
      if (triesLeft > 1 && e.getMessage() != null && e.getMessage().contains(" 429:")) {
        Promise<T> later = Promise.promise();
        vertx.setTimer(1_000, t -> retried(vertx, triesLeft - 1, call).onComplete(later));
        return later.future();
      }
      return Future.failedFuture(e);
    });
  }

  /** The API key, if the run has one: every request carries it. */
  RequestOptions withKey(RequestOptions request) {
    options.apiKey().ifPresent(key -> request.putHeader("X-API-Key", key));
    return request;
  }

  private Future<Buffer> send(HttpClient client, HttpMethod method, String path, Buffer body) {
    RequestOptions request = withKey(new RequestOptions().setAbsoluteURI(options.gateway().resolve(path).toString())
        .setMethod(method).setIdleTimeout(options.timeout().toMillis()));
    if (body != null) {
      request.putHeader("Content-Type", JSON);
    }
    return client.request(request)
        .compose(r -> body == null ? r.send() : r.send(body))
        .compose(response -> response.body().compose(content -> response.statusCode() / 100 == 2
            ? Future.succeededFuture(content)
            : Future.failedFuture("setup request got " + response.statusCode() + ": " + content)));
  }

  private JsonObject product(String suffix) {
    String word = WORDS[(int) (Math.abs((long) suffix.hashCode()) % WORDS.length)];
    return new JsonObject().put("sku", "LG-" + run + "-" + suffix).put("name", word + " " + suffix)
        .put("description", "a " + word + " made by the load generator").put("priceCents", 100 + suffix.length())
        .put("currency", "EUR").put("stock", 1_000_000).put("category", category());
  }
}
