package io.catalogsuite.catalog.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ImportProgressTest {
  @Test
  void anAnnouncedSize_givesSharesFromTheStart() {
    ImportProgress receiving = new ImportProgress(OptionalLong.of(1_000), 250, 100, false);
    assertThat(receiving.storedShare()).hasValue(0.25);
    assertThat(receiving.processedShare()).hasValue(0.1);
  }

  @Test
  void withoutOne_sharesAreKnownOnceTheUploadHasEnded() {
    assertThat(new ImportProgress(OptionalLong.empty(), 250, 100, false).storedShare()).isEmpty();
    assertThat(new ImportProgress(OptionalLong.empty(), 250, 100, false).toJson().getValue("stored")).isNull();
    ImportProgress received = new ImportProgress(OptionalLong.empty(), 400, 100, true);
    assertThat(received.storedShare()).hasValue(1.0);
    assertThat(received.processedShare()).hasValue(0.25);
  }

  /** A client that announced less than it sent is refused as too large only over the limit; the share stops at 1. */
  @Test
  void aShare_neverPassesOne() {
    assertThat(new ImportProgress(OptionalLong.of(100), 150, 0, false).storedShare()).hasValue(1.0);
  }

  @Test
  void processed_cannotPassStored() {
    assertThatThrownBy(() -> new ImportProgress(OptionalLong.empty(), 10, 11, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
