package io.catalogsuite.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
  @Test
  void bool_isTrueOrFalse_nothingElse() {
    assertThat(Env.of(Map.of()).bool("FLAG", true)).isTrue();
    assertThat(Env.of(Map.of("FLAG", "False")).bool("FLAG", true)).isFalse();
    assertThat(Env.of(Map.of("FLAG", "TRUE")).bool("FLAG", false)).isTrue();
    for (String guess : new String[] {"yes", "1", "on", "ture"}) {
      assertThatThrownBy(() -> Env.of(Map.of("FLAG", guess)).bool("FLAG", true))
          .isInstanceOf(ConfigException.class)
          .hasMessage("FLAG must be true or false, got '" + guess + "'");
    }
  }

  @Test
  void require_formatsItsMessage() {
    ConfigException.require(true, "never %s", "shown");
    assertThatThrownBy(() -> ConfigException.require(false, "A (%d) must not exceed B (%d)", 2, 1))
        .isInstanceOf(ConfigException.class).hasMessage("A (2) must not exceed B (1)");
  }
}
