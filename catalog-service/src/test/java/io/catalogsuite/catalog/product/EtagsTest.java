package io.catalogsuite.catalog.product;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.catalog.cache.ProductDocument;
import org.junit.jupiter.api.Test;

class EtagsTest {
  @Test
  void etag_quotesTheVersion() {
    assertThat(ProductDocument.etagOf(3)).isEqualTo("\"3\"");
  }

  @Test
  void versions_ofIfMatch() {
    assertThat(Etags.versions(null)).isNull();
    assertThat(Etags.versions("*")).isNull();
    assertThat(Etags.versions("\"3\"")).containsExactly(3);
    assertThat(Etags.versions("\"3\", \"5\"")).containsExactly(3, 5);
    assertThat(Etags.versions("W/\"3\"")).isEmpty(); // weak tags never match If-Match
    assertThat(Etags.versions("\"abc\"")).isEmpty();
  }

  @Test
  void matches_ifNoneMatch() {
    assertThat(Etags.matches("\"3\"", "\"3\"")).isTrue();
    assertThat(Etags.matches("W/\"3\"", "\"3\"")).isTrue();
    assertThat(Etags.matches("\"2\", \"3\"", "\"3\"")).isTrue();
    assertThat(Etags.matches("*", "\"3\"")).isTrue();
    assertThat(Etags.matches("\"2\"", "\"3\"")).isFalse();
    assertThat(Etags.matches(null, "\"3\"")).isFalse();
  }
}
