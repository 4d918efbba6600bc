package io.catalogsuite.launcher;

import io.catalogsuite.common.cluster.ClusterTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The local suite's event-bus keystore ({@link ClusterTls}): made on the first {@code up}, with its password a
 * {@link LocalSecret}, and reused after, like the other secrets. Both files are readable by their owner only.
 */
final class ClusterKeystore {
  private ClusterKeystore() {
  }

  /** The keystore at {@code keystore}, opened by the password in {@code passwordFile}; both made if missing. */
  static ClusterTls loadOrCreate(Path keystore, Path passwordFile) throws IOException, LaunchException {
    boolean newPassword = !Files.exists(passwordFile);
    String password = LocalSecret.loadOrCreate(passwordFile);
    if (!newPassword && Files.exists(keystore)) {
      return new ClusterTls(keystore, password);
    }
    // Made in a directory only the owner can enter, then moved in place: never readable by others, never partial.
    Path workDir = Files.createTempDirectory(keystore.getParent(), "keystore",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      Path made = ClusterTls.createKeystore(workDir.resolve("cluster.p12"), password).keystore();
      Files.setPosixFilePermissions(made, PosixFilePermissions.fromString("rw-------"));
      Files.move(made, keystore, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new ClusterTls(keystore, password);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LaunchException("interrupted while making " + keystore);
    } finally {
      Files.deleteIfExists(workDir.resolve("cluster.p12"));
      Files.deleteIfExists(workDir);
    }
  }
}
