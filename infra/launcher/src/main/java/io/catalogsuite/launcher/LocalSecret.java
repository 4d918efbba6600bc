package io.catalogsuite.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret of the local suite, made on the first {@code up} and kept in a file under {@code .suite/} that only
 * its owner can read, then reused by every later {@code up}, so scripts and shells keep working across
 * restarts: the development API key ({@link DevApiKey}), the gateway's signing secret and the cluster's.
 */
final class LocalSecret {
  /** 32 random bytes, base64url: 43 characters, none of which any setting treats specially. */
  private static final int SECRET_BYTES = 32;
  private static final String OWNER_ONLY = "rw-------";
  private static final SecureRandom RANDOM = new SecureRandom();

  private LocalSecret() {
  }

  /** The secret in {@code file}, made first if there is none. */
  static String loadOrCreate(Path file) throws IOException, LaunchException {
    if (Files.exists(file)) {
      String secret = Files.readString(file).trim();
      if (!secret.matches("[A-Za-z0-9_-]{32,512}")) {
        throw new LaunchException(file + " does not hold a secret; delete it to get a new one");
      }
      return secret;
    }
    String secret = random();
    Files.createDirectories(file.getParent());
    // Written owner-only from the start, then moved in place: never readable by others, never half-written.
    Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
    Files.writeString(temporary, secret + "\n");
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    return secret;
  }

  /** A new secret: 32 bytes from {@link SecureRandom}, base64url without padding. */
  static String random() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
