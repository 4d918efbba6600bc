package io.catalogsuite.launcher;

import io.catalogsuite.common.cluster.ClusterTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Deployments for tests, each with secrets and a keystore of its own. */
public final class TestDeployments {
  private TestDeployments() {
  }

  /** A new deployment whose cluster name starts with {@code clusterLabel}; its keystore goes under target/. */
  public static Deployment create(String clusterLabel, String apiKey) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(Path.of("target"), "deployment").toAbsolutePath();
    ClusterTls tls = ClusterTls.createKeystore(dir.resolve("cluster.p12"), LocalSecret.random());
    return new Deployment(clusterLabel + "-" + LocalSecret.random(), LocalSecret.random(),
        DevApiKey.gatewayApiKeys(apiKey), tls);
  }
}
