package io.catalogsuite.launcher.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it must fail a wrong history, and pass a right one. */
class ReadAfterWriteCheckTest {
  private static Op write(long version, long invoked, long completed) {
    return new Op(Op.Kind.WRITE, 1, "a", invoked, completed, version, true);
  }

  private static Op read(long version, long invoked, long completed) {
    return new Op(Op.Kind.READ, 1, "b", invoked, completed, version, true);
  }

  @Test
  void aReadAfterAWrite_thatReturnsTheOlderVersion_isAViolation() {
    List<String> violations = ReadAfterWriteCheck.violations(List.of(write(2, 10, 20), read(1, 21, 25)));
    assertThat(violations).hasSize(1);
    assertThat(violations.get(0)).contains("READ product 1 on b: version 1").contains("WRITE product 1 on a: version 2");
  }

  @Test
  void aReadConcurrentWithAWrite_mayReturnEither() {
    assertThat(ReadAfterWriteCheck.violations(List.of(write(2, 10, 20), read(1, 15, 25), read(2, 11, 12))))
        .isEmpty();
  }

  @Test
  void aNotFound_afterAWrite_isAViolation() {
    assertThat(ReadAfterWriteCheck.violations(List.of(write(1, 10, 20), read(0, 30, 31)))).hasSize(1);
  }

  @Test
  void theNewestCompletedWrite_counts_whateverTheOrderOfCompletion() {
    // Version 3 completed before version 2's write did; a later read of 2 is older than 3.
    List<Op> history = List.of(write(3, 10, 20), write(2, 5, 30), read(3, 40, 41), read(2, 42, 43));
    assertThat(ReadAfterWriteCheck.violations(history)).hasSize(1);
  }

  @Test
  void failedOperations_sayNothing() {
    Op timedOut = new Op(Op.Kind.WRITE, 1, "a", 10, 20, 9, false);
    assertThat(ReadAfterWriteCheck.violations(List.of(timedOut, read(1, 30, 31)))).isEmpty();
  }

  @Test
  void productsAreCheckedApart() {
    Op other = new Op(Op.Kind.WRITE, 2, "a", 10, 20, 5, true);
    assertThat(ReadAfterWriteCheck.violations(List.of(other, read(1, 30, 31)))).isEmpty();
  }
}
