package io.catalogsuite.catalog.product;

import io.catalogsuite.catalog.db.StoreFailures;
import io.catalogsuite.common.http.FieldError;
import io.catalogsuite.common.http.ForwardedPrefix;
import io.catalogsuite.common.http.JsonBodies;
import io.catalogsuite.common.http.Principals;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.QueryParams;
import io.catalogsuite.common.http.Replies;
import io.catalogsuite.common.http.Text;
import io.catalogsuite.common.tracing.Tracing;
import io.catalogsuite.catalog.cache.ProductCache;
import io.catalogsuite.catalog.cache.ProductDocument;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product endpoints. Each handler validates what it was sent, talks to the repository and the cache, and
 * either answers or fails the context with a {@link ProblemException}; the router's failure handler writes
 * problems.
 */
public final class ProductHandlers {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  static final int MAX_RESERVATION = 1_000_000;
  static final int MAX_QUERY = 200;
  private static final Pattern ID = Pattern.compile("[1-9][0-9]{0,18}");
  private static final String UNIQUE_VIOLATION = "23505";
  private static final Logger log = LoggerFactory.getLogger(ProductHandlers.class);

  private final ProductRepository repository;
  private final ProductCache cache;
  private final IdempotentWrites idempotent;
  private final ProductValidator validator = new ProductValidator();

  private ProductHandlers(ProductRepository repository, ProductCache cache, IdempotentWrites idempotent) {
    this.repository = repository;
    this.cache = cache;
    this.idempotent = idempotent;
  }

  /**
   * Handlers over Postgres ({@code client}, and {@code transactions} for idempotent writes, whose keys are kept
   * as {@code idempotency} says, aged by {@code clock}) and the cache; each write's event records its trace.
   */
  public static ProductHandlers create(SqlClient client, Pool transactions, ProductCache cache,
      IdempotencyConfig idempotency, Clock clock, Tracing tracing) {
    return new ProductHandlers(new ProductRepository(client, tracing), cache,
        new IdempotentWrites(transactions, idempotency, clock));
  }

  /** {@code POST /products}: 201 with Location and ETag; once per {@code Idempotency-Key}. */
  public void create(RoutingContext ctx) {
    ProductInput input = validator.validate(JsonBodies.object(ctx));
    ProductDocument[] written = new ProductDocument[1];
    Replies.reply(ctx, once(ctx, "POST /products", on -> repository.insert(on, input).map(product -> {
          written[0] = ProductDocument.of(product);
          return new IdempotentWrites.Response(201, product.encode(), false);
        }))
        .recover(e -> Future.failedFuture(databaseProblem(e, input)))
        // Written through: it also replaces a "missing" marker a reader may have left for this id.
        .compose(response -> written[0] == null ? Future.succeededFuture(response)
            : cache.created(written[0]).map(response)),
        response -> {
          JsonObject product = new JsonObject(response.body());
          ctx.response().putHeader("Location", ForwardedPrefix.of(ctx) + "/products/" + product.getLong("id"));
          replayedHeader(ctx, response);
          sendProduct(ctx, response.status(), Buffer.buffer(response.body()), product.getLong("version"));
        });
  }

  /**
   * Runs {@code write} once per {@code Idempotency-Key} in {@code scope}, for the request's principal, when the
   * request has one (in a transaction, with the stored response), else directly on the pipelining client.
   */
  private Future<IdempotentWrites.Response> once(RoutingContext ctx, String scope,
      Function<SqlClient, Future<IdempotentWrites.Response>> write) {
    String key = IdempotentWrites.key(ctx.request().getHeader(IdempotentWrites.HEADER));
    // A key is the client's own: the same key from another principal is another request, never its replay.
    return key == null
        ? write.apply(repository.client())
        : idempotent.run(Principals.of(ctx) + " " + scope, key, ctx.body().buffer(), write::apply);
  }

  private static void replayedHeader(RoutingContext ctx, IdempotentWrites.Response response) {
    if (response.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
  }

  public void get(RoutingContext ctx) {
    long id = id(ctx);
    Replies.reply(ctx, cache.read(id, () -> repository.findById(id)
            .recover(e -> Future.failedFuture(databaseProblem(e, null)))),
        product -> {
          if (product == null) {
            ctx.fail(notFound(id));
          } else if (Etags.matches(ctx.request().getHeader("If-None-Match"), product.etag())) {
            ctx.response().setStatusCode(304).putHeader("ETag", product.etag()).end();
          } else {
            ctx.response().putHeader("Content-Type", "application/json").putHeader("ETag", product.etag())
                .end(product.body());
          }
        });
  }

  public void replace(RoutingContext ctx) {
    long id = id(ctx);
    ProductInput input = validator.validate(JsonBodies.object(ctx));
    List<Integer> expected = Etags.versions(ctx.request().getHeader("If-Match"));
    Replies.reply(ctx, repository.replace(id, input, expected)
        .recover(e -> Future.failedFuture(databaseProblem(e, input)))
        .compose(product -> product != null
            ? Future.succeededFuture(ProductDocument.of(product))
            : repository.findById(id).compose(current -> Future.failedFuture(current == null
                ? notFound(id)
                : ProblemException.preconditionFailed("product " + id + " is at version "
                    + current.getInteger("version") + "; If-Match did not match"))))
        .compose(product -> cache.written(product).map(product)),
        product -> sendProduct(ctx, 200, product.body(), product.version()));
  }

  public void delete(RoutingContext ctx) {
    long id = id(ctx);
    Replies.reply(ctx, repository.delete(id)
        .recover(e -> Future.failedFuture(databaseProblem(e, null)))
        .compose(deleted -> deleted ? cache.deleted(id) : Future.failedFuture(notFound(id))),
        v -> ctx.response().setStatusCode(204).end());
  }

  /**
   * {@code POST /products/{id}/reservations} {@code {"quantity": n}}: 201 with the reservation, 409 when the
   * stock is short, 404 for an unknown product. Atomic however many run at once (see the repository).
   */
  public void reserve(RoutingContext ctx) {
    long id = id(ctx);
    int quantity = quantity(JsonBodies.object(ctx));
    ProductDocument[] written = new ProductDocument[1];
    Replies.reply(ctx, once(ctx, "POST /products/" + id + "/reservations", on -> repository.reserve(on, id, quantity)
          .compose(reservation -> {
            if (reservation != null) {
              written[0] = ProductDocument.of(reservation.product());
              return Future.succeededFuture(new IdempotentWrites.Response(201, reservation.toJson().encode(), false));
            }
            return repository.findById(on, id).compose(current -> Future.failedFuture(current == null
                ? notFound(id)
                : ProblemException.conflict("product " + id + " has " + current.getInteger("stock")
                    + " in stock; " + quantity + " cannot be reserved")));
          }))
        .recover(e -> Future.failedFuture(databaseProblem(e, null)))
        .compose(response -> written[0] == null ? Future.succeededFuture(response)
            : cache.written(written[0]).map(response)),
        response -> {
          replayedHeader(ctx, response);
          ctx.response().setStatusCode(response.status()).putHeader("Content-Type", "application/json")
              .end(response.body());
        });
  }

  private static int quantity(JsonObject body) {
    Object quantity = body.getValue("quantity");
    if (body.size() == 1 && quantity instanceof Integer n && n >= 1 && n <= MAX_RESERVATION) {
      return n;
    }
    throw ProblemException.invalid(List.of(new FieldError("/quantity",
        "must be an integer from 1 to " + MAX_RESERVATION + ", and the only field")));
  }

  /**
   * {@code GET /products?q=&category=&minPrice=&maxPrice=&inStock=&sort=&limit=&cursor=}: one page of
   * products and the cursor of the next ({@code null} on the last page).
   */
  public void list(RoutingContext ctx) {
    ProductSearch search = search(ctx);
    // One row more than asked tells whether another page follows, without a count.
    Replies.reply(ctx, repository.search(new ProductSearch(search.q(), search.category(), search.minPrice(),
            search.maxPrice(), search.inStock(), search.sort(), search.after(), search.limit() + 1))
        .recover(e -> Future.failedFuture(databaseProblem(e, null))),
        hits -> {
          boolean more = hits.size() > search.limit();
          List<ProductRepository.Hit> page = more ? hits.subList(0, search.limit()) : hits;
          String next = null;
          if (more) {
            ProductRepository.Hit last = page.get(page.size() - 1);
            next = new PageCursor(search.sort(), search.sort().jsonValue(last.sortValue()),
                last.product().getLong("id")).encode();
          }
          JsonArray items = new JsonArray(new ArrayList<>(page.size()));
          page.forEach(hit -> items.add(hit.product()));
          ctx.response().putHeader("Content-Type", "application/json")
              .end(new JsonObject().put("items", items).put("nextCursor", next).toBuffer());
        });
  }

  /** The listing a request asks for; every parameter checked, a 400 problem otherwise. */
  static ProductSearch search(RoutingContext ctx) {
    String q = Text.param(ctx, "q");
    if (q != null && (q.isBlank() || q.length() > MAX_QUERY)) {
      throw ProblemException.badRequest("q must be 1 to " + MAX_QUERY + " characters");
    }
    Long minPrice = price(ctx, "minPrice");
    Long maxPrice = price(ctx, "maxPrice");
    if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
      throw ProblemException.badRequest("minPrice must not be above maxPrice");
    }
    String inStock = ctx.request().getParam("inStock");
    if (inStock != null && !inStock.equals("true") && !inStock.equals("false")) {
      throw ProblemException.badRequest("inStock must be true or false");
    }
    Sort sort = Sort.of(ctx.request().getParam("sort"), q != null);
    return new ProductSearch(q, category(Text.param(ctx, "category")), minPrice, maxPrice,
        "true".equals(inStock), sort, PageCursor.decode(ctx.request().getParam("cursor"), sort),
        QueryParams.integer(ctx, "limit", 1, MAX_LIMIT).orElse(DEFAULT_LIMIT));
  }

  private static Long price(RoutingContext ctx, String name) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return null;
    }
    try {
      long price = Long.parseLong(raw);
      if (price >= 0) {
        return price;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ProblemException.badRequest(name + " must be a whole number of cents, 0 or more; got '" + raw + "'");
  }

  private static void sendProduct(RoutingContext ctx, int status, Buffer json, long version) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("ETag", ProductDocument.etagOf(version))
        .end(json);
  }

  private static long id(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    if (raw != null && ID.matcher(raw).matches()) {
      try {
        return Long.parseLong(raw);
      } catch (NumberFormatException ignored) {
        // beyond the range of ids; reported below
      }
    }
    throw ProblemException.badRequest("product id must be a positive integer, got '" + raw + "'");
  }

  private static String category(String raw) {
    if (raw != null && (raw.isEmpty() || raw.length() > 64)) {
      throw ProblemException.badRequest("category must be 1 to 64 characters");
    }
    return raw;
  }

  private static ProblemException notFound(long id) {
    return ProblemException.notFound("no product with id " + id);
  }

  /**
   * Turns a database failure into the problem a client should see, by its type: a duplicate sku is a 409, an
   * unavailable store ({@link StoreFailures}) a 503; anything else is a bug and stays a 500, logged with its stack
   * trace by the failure handler.
   */
  private static Throwable databaseProblem(Throwable failure, ProductInput input) {
    if (failure instanceof ProblemException) {
      return failure; // already an answer (a 404, 409 or 422 decided inside a transaction)
    }
    if (failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()) && input != null) {
      return ProblemException.conflict("a product with sku '" + input.sku() + "' already exists");
    }
    if (StoreFailures.unavailable(failure)) {
      log.warn("Postgres unavailable: {}", failure.toString());
      return ProblemException.serviceUnavailable("the product database is unavailable; retry later")
          .withRetryAfter(1);
    }
    return failure;
  }
}
