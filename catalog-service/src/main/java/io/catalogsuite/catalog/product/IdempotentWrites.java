package io.catalogsuite.catalog.product;

import io.catalogsuite.common.http.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Runs a write at most once per {@code Idempotency-Key}: the first request with a key does the write and
 * stores its response in the same transaction; a retry with the same key and body gets that stored response
 * back and writes nothing; the same key with another body is a 422.
 *
 * <p>The key is claimed first, then the write runs, then its response is stored with the claim, all in one
 * transaction. Two requests with one key at the same time: the second one's claim waits on the first one's
 * uncommitted row (the primary key), then finds it committed and replays it. A write that fails rolls back
 * with its claim, so the request can be retried. Keys are kept {@code IDEMPOTENCY_KEEP_HOURS} (24), then
 * deleted by {@link IdempotencyPurge}.
 */
final class IdempotentWrites {
  static final String HEADER = "Idempotency-Key";
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  /** A key kept longer than its time is deleted when reused (between two purges), then claimed afresh. */
  private static final String DELETE_EXPIRED =
      "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < $3";
  /** Claims the key; waits while another transaction holds an uncommitted claim of it, then does nothing. */
  private static final String CLAIM = """
      INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
      ON CONFLICT (scope, key) DO NOTHING""";
  private static final String COMPLETE =
      "UPDATE idempotency_keys SET status = $3, response = $4 WHERE scope = $1 AND key = $2";
  private static final String FIND =
      "SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2";

  private final Pool pool;
  private final IdempotencyConfig config;
  private final Clock clock;

  IdempotentWrites(Pool pool, IdempotencyConfig config, Clock clock) {
    this.pool = pool;
    this.config = config;
    this.clock = clock;
  }

  /** A response as stored and replayed: its status and JSON body. */
  record Response(int status, String body, boolean replayed) {
  }

  /** The key of a request, validated; null when it has none. */
  static String key(String header) {
    if (header == null) {
      return null;
    }
    if (!KEY.matcher(header).matches()) {
      throw ProblemException.badRequest(HEADER + " must be 1 to 255 visible ASCII characters");
    }
    return header;
  }

  /**
   * Runs {@code write} on a transaction's connection unless {@code key} was already used in {@code scope}; the
   * response it makes is stored with the key before the transaction commits.
   */
  Future<Response> run(String scope, String key, Buffer body, Function<SqlConnection, Future<Response>> write) {
    String hash = sha256(body);
    Tuple id = Tuple.of(scope, key);
    OffsetDateTime expired = OffsetDateTime.now(clock).minus(config.keep()).withOffsetSameInstant(ZoneOffset.UTC);
    return pool.withTransaction(conn -> conn.preparedQuery(DELETE_EXPIRED).execute(Tuple.of(scope, key, expired))
        .compose(v -> conn.preparedQuery(CLAIM).execute(Tuple.of(scope, key, hash)))
        .compose(claim -> claim.rowCount() == 1
            ? write.apply(conn).compose(response -> conn.preparedQuery(COMPLETE)
                .execute(Tuple.of(scope, key, response.status(), response.body())).map(response))
            : conn.preparedQuery(FIND).execute(id).compose(found -> replay(found.iterator().next(), hash))));
  }

  private static Future<Response> replay(Row stored, String hash) {
    if (!stored.getString("request_hash").equals(hash)) {
      return Future.failedFuture(new ProblemException(422, "idempotency-key-reused", "Idempotency key reused",
          "this " + HEADER + " was used with another request body", List.of()));
    }
    return Future.succeededFuture(new Response(stored.getInteger("status"), stored.getString("response"), true));
  }

  private static String sha256(Buffer body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
