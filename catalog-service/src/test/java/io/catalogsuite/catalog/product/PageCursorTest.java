package io.catalogsuite.catalog.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.http.ProblemException;
import org.junit.jupiter.api.Test;

class PageCursorTest {
  @Test
  void roundTrip() {
    assertThat(PageCursor.decode(PageCursor.encode(42))).isEqualTo(42);
    assertThat(PageCursor.decode(PageCursor.encode(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void absent_isFirstPage() {
    assertThat(PageCursor.decode(null)).isZero();
    assertThat(PageCursor.decode("")).isZero();
  }

  @Test
  void opaque() {
    assertThat(PageCursor.encode(42)).doesNotContain("42").matches("[A-Za-z0-9_-]+");
  }

  @Test
  void garbage_isBadRequest() {
    for (String bad : new String[] {"!!!", "bm90LWEtY3Vyc29y", PageCursor.encode(1).substring(2), "YWZ0ZXI6LTE"}) {
      assertThatThrownBy(() -> PageCursor.decode(bad)).as(bad)
          .isInstanceOfSatisfying(ProblemException.class, p -> assertThat(p.status()).isEqualTo(400));
    }
  }
}
