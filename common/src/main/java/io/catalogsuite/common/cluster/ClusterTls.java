package io.catalogsuite.common.cluster;

import io.catalogsuite.common.config.ConfigException;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Mutual TLS for the clustered event bus, from one PKCS#12 keystore that every process of a deployment shares
 * ({@code CLUSTER_KEYSTORE}, opened with {@code CLUSTER_KEYSTORE_PASSWORD}). Each node presents the keystore's
 * certificate and trusts that certificate alone, both as a server (client authentication required) and as a
 * client: a process without the key can neither send to nor listen on anybody's event-bus port, even one that
 * knows the cluster name. Host names are not checked (every node has the same certificate; what is proven is
 * holding the deployment's key, not a name). {@code ./suite} makes the keystore, a Compose init step too.
 *
 * <p>Hazelcast's own member protocol gets no TLS: Hazelcast's open-source edition has none (see the README's
 * threat model).
 */
public record ClusterTls(Path keystore, String password) {

  /** The TLS {@code CLUSTER_KEYSTORE} and {@code CLUSTER_KEYSTORE_PASSWORD} describe, if a keystore is set. */
  public static Optional<ClusterTls> of(Optional<String> keystore, Optional<String> password) {
    if (keystore.isEmpty()) {
      if (password.isPresent()) {
        throw new ConfigException("CLUSTER_KEYSTORE_PASSWORD is set but CLUSTER_KEYSTORE is not");
      }
      return Optional.empty();
    }
    Path file = Path.of(keystore.get());
    if (!Files.isReadable(file)) {
      throw new ConfigException("CLUSTER_KEYSTORE: " + file + " is not a readable file");
    }
    return Optional.of(new ClusterTls(file, password.orElseThrow(
        () -> new ConfigException("CLUSTER_KEYSTORE is set, so CLUSTER_KEYSTORE_PASSWORD must be too"))));
  }

  /**
   * Makes a new keystore at {@code file}: an EC P-256 key and its self-signed certificate, valid ten years, with
   * the JDK's own {@code keytool} (the JDK has no API that signs a certificate). Blocking; for launchers and
   * tests. The password goes to keytool in its environment, never on its command line.
   */
  public static ClusterTls createKeystore(Path file, String password) throws IOException, InterruptedException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    ProcessBuilder builder = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "cluster",
        "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "3650", "-dname", "CN=catalog-suite cluster",
        "-storetype", "PKCS12", "-keystore", file.toString(),
        "-storepass:env", "CLUSTER_KEYSTORE_PASSWORD", "-keypass:env", "CLUSTER_KEYSTORE_PASSWORD")
        .redirectErrorStream(true);
    builder.environment().put("CLUSTER_KEYSTORE_PASSWORD", password);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("keytool could not make " + file + ": " + output.strip());
    }
    return new ClusterTls(file, password);
  }

  /** The event bus's options: TLS on, client authentication required, the keystore as key and as trust. */
  public EventBusOptions eventBusOptions() {
    PfxOptions store = new PfxOptions().setPath(keystore.toString()).setPassword(password);
    return new EventBusOptions()
        .setSsl(true)
        .setKeyCertOptions(store)
        .setTrustOptions(store)
        .setClientAuth(ClientAuth.REQUIRED);
  }

  /** The path only: the password is a secret. */
  @Override
  public String toString() {
    return "ClusterTls[" + keystore + "]";
  }
}
