package io.catalogsuite.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The yardstick of the cache benchmark ({@code infra/bench/cache.sh}): {@code GET /products/{id}} answered
 * straight from Postgres, no cache, no framework. A plain Vert.x core HTTP server, one per core, all sharing one
 * pipelining PG client set up as catalog-service's is (8 connections, up to 256 statements in flight on each,
 * prepared statements cached). The product is the JSON catalog-service returns, with its ETag; an unknown id is
 * a 404.
 *
 * <p>Environment: {@code PG_URL} (the catalog's database) and {@code HTTP_PORT} ({@code 0}, the default, binds a
 * free port). Once it serves it prints one line, {@code baseline listening on port <port>}.
 */
public final class BaselineServer extends VerticleBase {
  /** The columns catalog-service reads, in its order. */
  static final String FIND_BY_ID = "SELECT id, sku, name, description, category, price_cents, currency, stock,"
      + " attributes, version, created_at, updated_at FROM products WHERE id = $1";
  private static final Pattern PRODUCT_PATH = Pattern.compile("/products/([0-9]{1,18})");
  private static final int POOL_SIZE = 8;
  private static final int PIPELINING_LIMIT = 256;

  private final SqlClient client;
  private final int port;
  private HttpServer server;

  private BaselineServer(SqlClient client, int port) {
    this.client = client;
    this.port = port;
  }

  public static void main(String[] args) {
    String pgUrl = System.getenv().getOrDefault("PG_URL", "postgresql://catalog:catalog@127.0.0.1:5432/catalog");
    int port = Integer.parseInt(System.getenv().getOrDefault("HTTP_PORT", "0"));
    start(Vertx.vertx(), pgUrl, port, Runtime.getRuntime().availableProcessors())
        .onSuccess(bound -> System.out.println("baseline listening on port " + bound))
        .onFailure(e -> {
          System.err.println("baseline did not start: " + e.getMessage());
          System.exit(1);
        });
  }

  /** Deploys {@code instances} servers on {@code port}; completes with the port they bound. */
  static Future<Integer> start(Vertx vertx, String pgUrl, int port, int instances) {
    // PgBuilder.client() pipelines; PgBuilder.pool() would not.
    SqlClient client = PgBuilder.client()
        .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("baseline-pipelined"))
        .connectingTo(PgConnectOptions.fromUri(pgUrl).setCachePreparedStatements(true)
            .setPipeliningLimit(PIPELINING_LIMIT))
        .using(vertx)
        .build();
    return SharedPort.deploy(vertx, port, instances, shared -> new BaselineServer(client, shared),
        server -> server.server.actualPort());
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions().setPort(port));
    return server.requestHandler(this::handle).listen();
  }

  private void handle(HttpServerRequest request) {
    Matcher path = PRODUCT_PATH.matcher(request.path());
    if (request.method() != HttpMethod.GET || !path.matches()) {
      problem(request.response(), 404, "no such resource");
      return;
    }
    long id = Long.parseLong(path.group(1));
    client.preparedQuery(FIND_BY_ID).execute(Tuple.of(id))
        .onSuccess(rows -> {
          RowIterator<Row> found = rows.iterator();
          if (!found.hasNext()) {
            problem(request.response(), 404, "no product with id " + id);
            return;
          }
          JsonObject product = toJson(found.next());
          request.response()
              .putHeader("Content-Type", "application/json")
              .putHeader("ETag", "\"" + product.getInteger("version") + "\"")
              .end(product.toBuffer());
        })
        .onFailure(e -> problem(request.response(), 500, "database: " + e.getMessage()));
  }

  /** The JSON of catalog-service's {@code ProductRepository.toJson}: the same fields in the same order. */
  static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getLong("id"))
        .put("sku", row.getString("sku"))
        .put("name", row.getString("name"))
        .put("description", row.getString("description"))
        .put("category", row.getString("category"))
        .put("priceCents", row.getLong("price_cents"))
        .put("currency", row.getString("currency"))
        .put("stock", row.getInteger("stock"))
        .put("attributes", row.getJsonObject("attributes"))
        .put("version", row.getInteger("version"))
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updatedAt", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  private static void problem(HttpServerResponse response, int status, String detail) {
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/problem+json")
        .end(new JsonObject().put("status", status).put("detail", detail).toBuffer());
  }
}
