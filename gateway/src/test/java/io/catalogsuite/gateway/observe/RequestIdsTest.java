package io.catalogsuite.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

  /** Ids made without SecureRandom are still version 4 UUIDs of the IETF variant, and do not repeat. */
  @Test
  void randomUuid_isAVersion4Uuid_unique() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      UUID id = RequestIds.randomUuid();
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(UUID.fromString(id.toString())).isEqualTo(id);
      seen.add(id);
    }
    assertThat(seen).hasSize(100_000);
  }
}
