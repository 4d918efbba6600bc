package io.catalogsuite.catalog.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.http.ProblemException;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class PageCursorTest {
  static PageCursor roundTrip(Sort sort, Object sqlValue, long id) {
    return PageCursor.decode(new PageCursor(sort, sort.jsonValue(sqlValue), id).encode(), sort);
  }

  @Test
  void roundTrip_everySort() {
    assertThat(roundTrip(Sort.ID, null, 42)).isEqualTo(new PageCursor(Sort.ID, null, 42));
    assertThat(roundTrip(Sort.PRICE, 1999L, 7).value()).isEqualTo(1999L);
    assertThat(roundTrip(Sort.PRICE_DESC, 0L, 7).value()).isEqualTo(0L);
    assertThat(roundTrip(Sort.NAME, "Lampe ✓ 漢字", 7).value()).isEqualTo("Lampe ✓ 漢字");
    OffsetDateTime created = OffsetDateTime.parse("2026-11-21T15:33:13.475306Z");
    assertThat(roundTrip(Sort.NEWEST, created, 7).value()).isEqualTo(created);
    assertThat(roundTrip(Sort.RELEVANCE, 0.0607927f, 7).value()).isEqualTo(0.0607927f); // exact float back
    assertThat(roundTrip(Sort.ID, null, Long.MAX_VALUE).id()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void absent_isFirstPage() {
    assertThat(PageCursor.decode(null, Sort.ID)).isNull();
    assertThat(PageCursor.decode("", Sort.PRICE)).isNull();
  }

  @Test
  void opaque() {
    assertThat(new PageCursor(Sort.PRICE, 1999L, 42).encode()).doesNotContain("1999").matches("[A-Za-z0-9_-]+");
  }

  @Test
  void otherSortsCursor_isBadRequest() {
    String priceCursor = new PageCursor(Sort.PRICE, 1999L, 42).encode();
    assertThatThrownBy(() -> PageCursor.decode(priceCursor, Sort.NAME))
        .isInstanceOfSatisfying(ProblemException.class, p -> assertThat(p.status()).isEqualTo(400));
  }

  @Test
  void garbage_isBadRequest() {
    String valid = new PageCursor(Sort.ID, null, 1).encode();
    for (String bad : new String[] {"!!!", "bm90LWEtY3Vyc29y", valid.substring(3), "e30", "eyJzIjoiaWQiLCJpIjotMX0"}) {
      assertThatThrownBy(() -> PageCursor.decode(bad, Sort.ID)).as(bad)
          .isInstanceOfSatisfying(ProblemException.class, p -> assertThat(p.status()).isEqualTo(400));
    }
  }

  @Test
  void sort_byName() {
    assertThat(Sort.of(null, false)).isEqualTo(Sort.ID);
    assertThat(Sort.of(null, true)).isEqualTo(Sort.RELEVANCE);
    assertThat(Sort.of("-price", false)).isEqualTo(Sort.PRICE_DESC);
    assertThatThrownBy(() -> Sort.of("relevance", false)).isInstanceOf(ProblemException.class);
    assertThatThrownBy(() -> Sort.of("cheapest", false)).isInstanceOf(ProblemException.class);
  }
}
