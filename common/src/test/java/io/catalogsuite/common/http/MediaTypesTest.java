package io.catalogsuite.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaTypesTest {
  @Test
  void of_lowerCaseWithoutParameters() {
    assertThat(MediaTypes.of("application/x-ndjson")).isEqualTo("application/x-ndjson");
    assertThat(MediaTypes.of(" Application/X-NDJSON ; charset=utf-8")).isEqualTo("application/x-ndjson");
    assertThat(MediaTypes.of("text/event-stream;charset=UTF-8")).isEqualTo("text/event-stream");
    assertThat(MediaTypes.of("")).isEmpty();
    assertThat(MediaTypes.of(null)).isNull();
  }
}
