package io.catalogsuite.catalog.imports;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.catalog.db.StoreFailures;
import io.catalogsuite.catalog.product.ProductValidator;
import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.common.http.MediaTypes;
import io.catalogsuite.common.http.ProblemException;
import io.catalogsuite.common.http.QueryParams;
import io.catalogsuite.common.http.Replies;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk imports: {@code POST /imports} (NDJSON, streamed; see {@link ImportUpload}) and {@code GET /imports/{id}}.
 * Starting them also starts this instance's {@link ImportWorker}, so every instance writes batches of every
 * import, whichever instance received it.
 */
public final class ImportHandlers {
  static final String MEDIA_TYPE = "application/x-ndjson";
  /** Errors per page of {@code GET /imports/{id}}. */
  static final int ERRORS_PAGE = 100;
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Logger log = LoggerFactory.getLogger(ImportHandlers.class);

  private final Vertx vertx;
  private final ImportRepository repository;
  private final ImportConfig config;
  private final Pool transactions;
  private final String member;
  /** The deployment of this instance's {@link ImportWorker}. */
  private final String worker;

  private ImportHandlers(Vertx vertx, ImportRepository repository, ImportConfig config, Pool transactions,
      String member, String worker) {
    this.vertx = vertx;
    this.repository = repository;
    this.config = config;
    this.transactions = transactions;
    this.member = member;
    this.worker = worker;
  }

  /**
   * Starts imports on this node: a pool of {@code IMPORT_CONCURRENCY} connections for writing batches (apart
   * from the product endpoints' connections, so an import never starves them) and the worker.
   *
   * @param client the node's pipelining client, for single statements
   */
  public static Future<ImportHandlers> start(ServiceNode node, SqlClient client, PgConnectOptions database,
      ImportConfig config) {
    Vertx vertx = node.vertx();
    HazelcastInstance hazelcast = node.cluster().hazelcast();
    Pool transactions = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.concurrency()).setName("catalog-imports")) // metrics name
        .connectingTo(database)
        .using(vertx)
        .build();
    ImportRepository repository = new ImportRepository(client, transactions, node.tracing());
    String member = memberId(hazelcast);
    ImportWorker worker = new ImportWorker(repository, config, new ProductValidator(), node.config().instanceId(),
        () -> hazelcast.getCluster().getMembers().stream().map(ImportHandlers::memberId).collect(Collectors.toSet()),
        node.tracing());
    return vertx.deployVerticle(worker)
        .map(id -> new ImportHandlers(vertx, repository, config, transactions, member, id))
        .recover(e -> transactions.close().transform(closed -> Future.failedFuture(e)));
  }

  private static String memberId(HazelcastInstance hazelcast) {
    return memberId(hazelcast.getCluster().getLocalMember());
  }

  private static String memberId(Member member) {
    return member.getUuid().toString();
  }

  /** Stops the worker (it finishes the batches it is writing), then closes the connections. */
  public Future<Void> stop() {
    return vertx.undeploy(worker)
        .onFailure(e -> log.warn("Import worker did not stop cleanly: {}", e.toString()))
        .eventually(transactions::close)
        .mapEmpty();
  }

  /**
   * {@code POST /imports}: {@code 202} with the job and its {@code Location} once the whole body is stored;
   * {@code 415} unless the body is NDJSON, {@code 413} over {@code IMPORT_MAX_BYTES}, {@code 400} when it holds
   * no line. The route must have no body handler: the body is read here, as a stream.
   */
  public void create(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (!MEDIA_TYPE.equals(MediaTypes.of(contentType))) {
      throw ProblemException.unsupportedMediaType("Content-Type must be " + MEDIA_TYPE + " (one JSON product per"
          + " line), got " + (contentType == null ? "none" : "'" + contentType + "'"));
    }
    String length = ctx.request().getHeader("Content-Length");
    OptionalLong announced = length != null && !length.isEmpty() && length.length() < 19
        && length.chars().allMatch(Character::isDigit) ? OptionalLong.of(Long.parseLong(length)) : OptionalLong.empty();
    if (announced.isPresent() && announced.getAsLong() > config.maxBytes()) {
      throw ImportUpload.tooLarge(config.maxBytes()); // said up front: refused before the body is sent
    }
    new ImportUpload(ctx, repository, config, vertx.eventBus(), member, announced).start();
  }

  /**
   * {@code GET /imports/{id}?errorsAfter=}: the job's state and counts, and its errors in line order, 100 at a
   * time; {@code nextErrorsAfter} is the {@code errorsAfter} of the next page (null on the last).
   */
  public void get(RoutingContext ctx) {
    String raw = ctx.pathParam("id");
    if (raw == null || !UUID_TEXT.matcher(raw).matches()) {
      throw ProblemException.badRequest("import id must be a UUID, got '" + raw + "'");
    }
    UUID id = UUID.fromString(raw);
    int errorsAfter = QueryParams.integer(ctx, "errorsAfter", 0, Integer.MAX_VALUE).orElse(0);
    Replies.reply(ctx, repository.status(id, errorsAfter, ERRORS_PAGE)
        .recover(e -> {
          if (!StoreFailures.unavailable(e)) {
            return Future.failedFuture(e); // a bug: a 500, logged with its trace
          }
          log.warn("Import status unavailable: {}", e.toString());
          return Future.failedFuture(ProblemException.serviceUnavailable("the import database is unavailable")
              .withRetryAfter(1));
        }),
        status -> {
          if (status == null) {
            ctx.fail(ProblemException.notFound("no import with id " + id));
          } else {
            ctx.response().putHeader("Content-Type", "application/json").end(status.toBuffer());
          }
        });
  }
}
