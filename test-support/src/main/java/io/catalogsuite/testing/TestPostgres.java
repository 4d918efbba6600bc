package io.catalogsuite.testing;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.SqlClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Postgres for tests: the server named by {@code PG_URL} when it is set, otherwise an embedded one
 * (zonky) started once per JVM. Each {@link #createDatabase()} gives a test its own fresh database.
 */
public final class TestPostgres {
  private static String serverUrl;

  private TestPostgres() {
  }

  /** The URL of a new, empty database on the test server. */
  public static synchronized String createDatabase() {
    PgConnectOptions server = PgConnectOptions.fromUri(serverUrl());
    String name = "test_" + UUID.randomUUID().toString().replace("-", "");
    Vertx vertx = Vertx.vertx();
    try {
      SqlClient client = PgBuilder.client().connectingTo(server).using(vertx).build();
      client.query("CREATE DATABASE " + name).execute().await(30, TimeUnit.SECONDS);
      client.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Could not create a test database", e);
    } finally {
      vertx.close();
    }
    return withDatabase(server, name);
  }

  private static String serverUrl() {
    if (serverUrl == null) {
      String configured = System.getenv("PG_URL");
      serverUrl = configured != null && !configured.isBlank() ? configured : startEmbedded();
    }
    return serverUrl;
  }

  private static String startEmbedded() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the JVM is going away; zonky's own files are temporary
        }
      }));
      return "postgresql://postgres@localhost:" + postgres.getPort() + "/postgres";
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start embedded Postgres", e);
    }
  }

  private static String withDatabase(PgConnectOptions server, String database) {
    String credentials = server.getPassword() == null || server.getPassword().isEmpty()
        ? server.getUser()
        : server.getUser() + ":" + server.getPassword();
    return "postgresql://" + credentials + "@" + server.getHost() + ":" + server.getPort() + "/" + database;
  }
}
