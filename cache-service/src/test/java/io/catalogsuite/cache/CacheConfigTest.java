package io.catalogsuite.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheConfigTest {
  @Test
  void mapsAreBoundedByMemory() {
    CacheConfig config = CacheConfig.fromEnv(Map.of("CACHE_MAX_MB", "64"));
    assertThat(config.products().maxMbPerMember()).isEqualTo(64);
    assertThat(config.shared().maxMbPerMember()).isEqualTo(16);
    assertThatThrownBy(() -> CacheConfig.fromEnv(Map.of("CACHE_SHARED_MAX_MB", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CACHE_SHARED_MAX_MB");
  }

  /** An entry count set from before would otherwise be ignored silently. */
  @Test
  void retiredSettings_stopTheStart_sayingWhatReplacedThem() {
    assertThatThrownBy(() -> CacheConfig.fromEnv(Map.of("CACHE_MAX_SIZE", "10000")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("CACHE_MAX_SIZE is no longer read: maps are bounded by memory, set CACHE_MAX_MB (MiB per"
            + " member) instead; got '10000'");
    assertThatThrownBy(() -> CacheConfig.fromEnv(Map.of("CACHE_SHARED_MAX_SIZE", "5")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("CACHE_SHARED_MAX_MB");
    assertThatThrownBy(() -> CacheConfig.fromEnv(Map.of("CACHE_MAPS", "x:LRU")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("PUT /maps/{name}");
  }
}
