package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSecretTest {
  @TempDir
  Path dir;

  @Test
  void madeOnce_ownerOnly_thenReused() throws Exception {
    Path file = dir.resolve(".suite").resolve("dev-api-key");
    String key = LocalSecret.loadOrCreate(file);
    assertThat(key).matches("[A-Za-z0-9_-]{43}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(LocalSecret.loadOrCreate(file)).isEqualTo(key);
    assertThat(LocalSecret.loadOrCreate(dir.resolve("other"))).isNotEqualTo(key);
    assertThat(DevApiKey.gatewayApiKeys(key)).isEqualTo("suite-dev:" + key + ":admin|write");
  }

  @Test
  void unreadableFile_saysHowToFixIt() throws Exception {
    Path file = Files.writeString(dir.resolve("dev-api-key"), "not a key\n");
    assertThatThrownBy(() -> LocalSecret.loadOrCreate(file)).isInstanceOf(LaunchException.class)
        .hasMessageContaining("delete it");
  }
}
