package io.catalogsuite.catalog.db;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Tells, by type, whether a database failure means the store is unavailable for now (a 503 with
 * {@code Retry-After} for the client, who may try again), as opposed to a bug (a 500, logged with its trace).
 */
public final class StoreFailures {
  private StoreFailures() {
  }

  /**
   * No connection (refused, reset, closed, or none free in time), or Postgres says it cannot serve now: SQLSTATE
   * class 08 (connection exception), 53 (insufficient resources, such as too many connections) and 57P01 to 57P03
   * (shutting down, crashed, starting up: "cannot connect now").
   */
  public static boolean unavailable(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"));
    }
    return failure instanceof IOException || failure instanceof ClosedConnectionException
        || failure instanceof TimeoutException;
  }
}
