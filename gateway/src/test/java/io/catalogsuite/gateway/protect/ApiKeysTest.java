package io.catalogsuite.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  private static final String CI_KEY = "ci-key-0123456789abcdef";
  private static final String READER_KEY = "reader-key-0123456789";

  @Test
  void verify_findsTheKeysPrincipal_withItsRoles() {
    ApiKeys keys = ApiKeys.parse(List.of("ci:" + CI_KEY + ":admin|write", "reader:" + READER_KEY + ":"));
    assertThat(keys.verify(CI_KEY)).contains(new Principal("ci", Set.of("admin", "write")));
    assertThat(keys.verify(READER_KEY)).contains(new Principal("reader", Set.of()));
    assertThat(keys.verify(CI_KEY + "x")).isEmpty();
    assertThat(keys.verify("")).isEmpty();
  }

  @Test
  void sha256_isTheStandardDigest() {
    assertThat(HexFormat.of().formatHex(ApiKeys.sha256("abc")))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void toString_namesKeysOnly() {
    assertThat(ApiKeys.parse(List.of("ci:" + CI_KEY + ":admin")).toString())
        .isEqualTo("ApiKeys[ci]").doesNotContain(CI_KEY);
  }

  @Test
  void malformedEntries_failFast_withoutShowingTheKey() {
    for (List<String> entries : List.of(List.of("ci:" + CI_KEY), List.of("c i:" + CI_KEY + ":"),
        List.of("ci:short:"), List.of("ci:" + CI_KEY + ":ad min"), List.of("ci:" + CI_KEY + ":", "ci:" + READER_KEY
            + ":"), List.of("ci:" + CI_KEY + ":", "other:" + CI_KEY + ":"))) {
      assertThatThrownBy(() -> ApiKeys.parse(entries)).as(entries.toString())
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("GATEWAY_API_KEYS")
          .message().doesNotContain(CI_KEY).doesNotContain(READER_KEY).doesNotContain("short");
    }
  }
}
