package io.catalogsuite.catalog.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class StoreFailuresTest {

  @Test
  void postgresStartingOrShuttingDown_orNoConnection_unavailable() {
    for (String state : new String[] {"57P01", "57P02", "57P03", "08006", "08001", "53300"}) {
      assertThat(StoreFailures.unavailable(pg(state))).as(state).isTrue();
    }
    assertThat(StoreFailures.unavailable(new ConnectException("Connection refused"))).isTrue();
    assertThat(StoreFailures.unavailable(ClosedConnectionException.INSTANCE)).isTrue();
    assertThat(StoreFailures.unavailable(new NoStackTraceTimeoutException("no connection in time"))).isTrue();
  }

  /** Recognised by type, not by exclusion: what is not the store being away is a bug, a 500 with its trace. */
  @Test
  void bugs_notUnavailable() {
    for (String state : new String[] {"22P02", "23505", "42601", "42P01", "40001"}) {
      assertThat(StoreFailures.unavailable(pg(state))).as(state).isFalse();
    }
    assertThat(StoreFailures.unavailable(new IllegalStateException("a bug"))).isFalse();
    assertThat(StoreFailures.unavailable(new NullPointerException())).isFalse();
  }

  private static PgException pg(String state) {
    return new PgException("message", "FATAL", state, null);
  }
}
