package io.catalogsuite.catalog.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecentMissesTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void aSecondMissWithinTheWindow_isNotAFirstOne() {
    RecentMisses misses = new RecentMisses(1024, 500);
    long now = 1_000_000 * MS;
    assertThat(misses.firstMiss(7, now)).isTrue();
    assertThat(misses.firstMiss(7, now + 499 * MS)).isFalse();
    assertThat(misses.firstMiss(8, now)).as("another id").isTrue();
  }

  @Test
  void theWindowRunsFromTheLastMiss() {
    RecentMisses misses = new RecentMisses(1024, 500);
    long now = -42 * MS; // nanoTime may be negative
    assertThat(misses.firstMiss(7, now)).isTrue();
    assertThat(misses.firstMiss(7, now + 500 * MS)).as("after the window").isTrue();
    assertThat(misses.firstMiss(7, now + 900 * MS)).isFalse();
  }

  @Test
  void consecutiveIds_spreadOverTheTable() {
    RecentMisses misses = new RecentMisses(65_536, 500);
    for (long id = 1; id <= 10_000; id++) {
      assertThat(misses.firstMiss(id, 0)).isTrue();
    }
    long remembered = 0;
    for (long id = 1; id <= 10_000; id++) {
      remembered += misses.firstMiss(id, MS) ? 0 : 1;
    }
    // Spread at random, an id shares its slot with another of the 10,000 with a chance of 1 - e^(-10000/65536),
    // 14 %, and then the two push each other out: about 8,600 remembered. Consecutive ids do no worse.
    assertThat(remembered).as("of 10,000 ids in 65,536 slots").isGreaterThan(8_300);
  }

  @Test
  void aTableOfOneSlot_forgetsWhatItCannotHold() {
    RecentMisses misses = new RecentMisses(1, 500);
    assertThat(misses.firstMiss(1, 0)).isTrue();
    assertThat(misses.firstMiss(2, 0)).isTrue();
    assertThat(misses.firstMiss(1, MS)).as("pushed out by 2").isTrue();
  }

  @Test
  void noWindow_admitsEveryMiss() {
    RecentMisses misses = new RecentMisses(1024, 0);
    assertThat(misses.firstMiss(7, 0)).isFalse();
    assertThat(misses.firstMiss(7, 0)).isFalse();
    assertThatThrownBy(() -> new RecentMisses(0, 500)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecentMisses(16, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
