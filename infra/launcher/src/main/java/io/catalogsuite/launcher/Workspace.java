package io.catalogsuite.launcher;

import java.nio.file.Path;

/**
 * Where the suite's files are: the project root (the services' jars are built under it) and {@code .suite/} in
 * it for the launcher's state, the logs, the development API key, the services' data and the embedded Postgres data. {@code ./suite} runs the launcher from
 * the project root.
 */
record Workspace(Path root) {

  static Workspace current() {
    return new Workspace(Path.of("").toAbsolutePath());
  }

  Path suiteDir() {
    return root.resolve(".suite");
  }

  Path logs() {
    return suiteDir().resolve("logs");
  }

  Path log(String name) {
    return logs().resolve(name + ".log");
  }

  Path state() {
    return suiteDir().resolve("state");
  }

  Path lock() {
    return suiteDir().resolve("launcher.lock");
  }

  /** The development API key ({@link DevApiKey}). */
  Path devApiKey() {
    return suiteDir().resolve("dev-api-key");
  }

  /** The gateway's signing secret ({@link LocalSecret}, {@code GATEWAY_SECRET}). */
  Path gatewaySecret() {
    return suiteDir().resolve("gateway-secret");
  }

  /** The secret part of the cluster's name ({@link LocalSecret}). */
  Path clusterSecret() {
    return suiteDir().resolve("cluster-secret");
  }

  /** The event bus's keystore ({@link ClusterKeystore}, {@code CLUSTER_KEYSTORE}). */
  Path clusterKeystore() {
    return suiteDir().resolve("cluster.p12");
  }

  /** The keystore's password ({@link LocalSecret}, {@code CLUSTER_KEYSTORE_PASSWORD}). */
  Path clusterKeystorePassword() {
    return suiteDir().resolve("cluster-keystore-password");
  }

  /** What the services keep across restarts: the cache maps defined at runtime. */
  Path data() {
    return suiteDir().resolve("data");
  }

  Path postgresData() {
    return suiteDir().resolve("postgres");
  }

  /** {@code path} as people read it in messages: relative to the project root. */
  String show(Path path) {
    return path.startsWith(root) ? root.relativize(path).toString() : path.toString();
  }
}
