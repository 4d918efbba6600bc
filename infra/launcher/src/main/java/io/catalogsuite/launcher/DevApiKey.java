package io.catalogsuite.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The development API key of a local suite: made on the first {@code up}, kept in {@code .suite/dev-api-key}
 * (readable by its owner only) and reused by every later {@code up}, so scripts and shells keep working across
 * restarts. The gateway gets it through {@code GATEWAY_API_KEYS} with the roles {@code admin} and {@code write}.
 */
final class DevApiKey {
  static final String NAME = "suite-dev";
  static final String ROLES = "admin|write";
  /** 32 random bytes, base64url: 43 characters the gateway accepts (no ':' or ','). */
  private static final int KEY_BYTES = 32;
  private static final String OWNER_ONLY = "rw-------";

  private DevApiKey() {
  }

  /** The key in {@code file}, made first if there is none. */
  static String loadOrCreate(Path file) throws IOException, LaunchException {
    if (Files.exists(file)) {
      String key = Files.readString(file).trim();
      if (!key.matches("[A-Za-z0-9_-]{16,512}")) {
        throw new LaunchException(file + " does not hold an API key; delete it to get a new one");
      }
      return key;
    }
    byte[] random = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(random);
    String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createDirectories(file.getParent());
    // Written owner-only from the start, then moved in place: never readable by others, never half-written.
    Path temporary = Files.createTempFile(file.getParent(), "dev-api-key", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
    Files.writeString(temporary, key + "\n");
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    return key;
  }

  /** The {@code GATEWAY_API_KEYS} value that gives {@code key} the roles admin and write. */
  static String gatewayApiKeys(String key) {
    return NAME + ":" + key + ":" + ROLES;
  }
}
