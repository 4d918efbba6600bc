package io.catalogsuite.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The Postgres catalog-service uses: the server {@code PG_URL} names, or else a real Postgres embedded in the
 * launcher (zonky), its data kept in the project across runs, on a free port each run.
 */
final class Database implements AutoCloseable {
  static final String CATALOG_DATABASE = "catalog";

  private final String url;
  private final String description;
  private final EmbeddedPostgres embedded;
  private final Path dataDir;

  private Database(String url, String description, EmbeddedPostgres embedded, Path dataDir) {
    this.url = url;
    this.description = description;
    this.embedded = embedded;
    this.dataDir = dataDir;
  }

  /** The server {@code PG_URL} names, used as it is: the launcher neither starts nor stops it. */
  static Database external(String url) {
    return new Database(url, "PG_URL " + redact(url), null, null);
  }

  /**
   * Starts the embedded Postgres on the data in {@code dataDir} (created on first use), writing its server log to
   * {@code log}, and creates the {@value #CATALOG_DATABASE} database if it is missing.
   */
  static Database embedded(Path dataDir, Path log) throws LaunchException {
    EmbeddedPostgres postgres;
    try {
      Files.createDirectories(log.getParent());
      postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(Ports.free())
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException | RuntimeException e) {
      throw new LaunchException("Embedded Postgres did not start (" + e.getMessage() + "); see " + log
          + ". If its data is from another Postgres version, delete " + dataDir + " to start afresh.", e);
    }
    try {
      createIfMissing(postgres, CATALOG_DATABASE);
    } catch (SQLException e) {
      closeQuietly(postgres);
      throw new LaunchException("Could not create the " + CATALOG_DATABASE + " database: " + e.getMessage(), e);
    }
    String url = "postgresql://postgres@localhost:" + postgres.getPort() + "/" + CATALOG_DATABASE;
    return new Database(url, embeddedDescription(url, dataDir), postgres, dataDir);
  }

  private static void createIfMissing(EmbeddedPostgres postgres, String database) throws SQLException {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
         Statement statement = connection.createStatement()) {
      boolean exists;
      try (ResultSet rows = statement.executeQuery(
          "SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
        exists = rows.next();
      }
      if (!exists) {
        statement.execute("CREATE DATABASE " + database);
      }
    }
  }

  /**
   * The embedded server's URL (it has no password), so that {@code ./suite status} tells tools such as psql and
   * infra/bench where the data is.
   */
  static String embeddedDescription(String url, Path dataDir) {
    return "embedded Postgres at " + url + ", data in " + dataDir;
  }

  /** The URL catalog-service gets as {@code PG_URL}. */
  String url() {
    return url;
  }

  /** Where the data is, for people: no password. */
  String description() {
    return description;
  }

  /** The embedded server's main process, which outlives the launcher if the launcher is killed. */
  Optional<ProcessHandle> postmaster() {
    if (embedded == null) {
      return Optional.empty();
    }
    try {
      List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return ProcessHandle.of(Long.parseLong(pidFile.get(0).trim()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The embedded server's port; 0 for an external one. */
  int port() {
    return embedded == null ? 0 : embedded.getPort();
  }

  /** Stops the embedded server; an external one is left alone. */
  @Override
  public void close() {
    if (embedded != null) {
      closeQuietly(embedded);
    }
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      System.err.println("suite: could not stop embedded Postgres: " + e.getMessage());
    }
  }

  /** The URL with any password replaced by {@code ***}, in the user info or as a query parameter. */
  static String redact(String url) {
    return url
        // Greedy up to the last '@' before any query: a password with an unencoded '@' or '/' stays hidden too.
        .replaceFirst("(://[^:/@?]*):[^?]*@", "$1:***@")
        .replaceAll("(?i)([?&]password=)[^&]*", "$1***");
  }
}
