package io.catalogsuite.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {
  @Test
  void defaults_andValues() {
    LoadOptions options = LoadOptions.parse(new String[] {"--url", "http://127.0.0.1:8080", "--rate", "50",
        "--duration", "500ms", "--mix", "get=1,search=3"}, Map.of("API_KEY", "k"));
    assertThat(options.rate()).isEqualTo(50);
    assertThat(options.duration()).isEqualTo(Duration.ofMillis(500));
    assertThat(options.connections()).isEqualTo(64);
    assertThat(options.mix()).containsOnly(Map.entry(Operation.GET, 1), Map.entry(Operation.SEARCH, 3));
    assertThat(options.apiKey()).contains("k");
  }

  @Test
  void aRamp_offersEvenlySpacedShares_from10To150PercentOfTheRate() {
    LoadOptions options = LoadOptions.parse(new String[] {"--url", "http://x", "--ramp", "--rate", "1000",
        "--steps", "5"}, Map.of("API_KEY", "k"));
    assertThat(options.ramp()).isTrue();
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.p99Target()).isEqualTo(Duration.ofMillis(100));
    assertThat(options.rates()).containsExactly(100.0, 450.0, 800.0, 1150.0, 1500.0);
    assertThat(parse("--rate", "7").rates()).containsExactly(7.0);
  }

  @Test
  void everyMistake_isNamed() {
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--rate", "5"}, Map.of()))
        .hasMessageContaining("--url");
    assertThatThrownBy(() -> parse("--rate", "0")).hasMessageContaining("--rate");
    assertThatThrownBy(() -> parse("--duration", "5 minutes")).hasMessageContaining("--duration");
    assertThatThrownBy(() -> parse("--mix", "get=1,fly=2")).hasMessageContaining("fly");
    assertThatThrownBy(() -> parse("--connections", "0")).hasMessageContaining("--connections");
    assertThatThrownBy(() -> parse("--rte", "5")).hasMessageContaining("--rte");
    assertThatThrownBy(() -> parse("--steps", "1")).hasMessageContaining("--steps");
    assertThatThrownBy(() -> parse("--p99-target", "0ms")).hasMessageContaining("--p99-target");
    assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--url", "http://x"}, Map.of()))
        .hasMessageContaining("--api-key");
  }

  private static LoadOptions parse(String name, String value) {
    return LoadOptions.parse(new String[] {"--url", "http://x", name, value}, Map.of("API_KEY", "k"));
  }
}
