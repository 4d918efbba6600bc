package io.catalogsuite.launcher.consistency;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The catalog's consistency contract, checked on a history: once a write's response has been sent, no instance
 * returns an older version of that product. So every read invoked after a write completed returns that write's
 * version or a newer one. A read concurrent with a write (invoked before it completed) may return either.
 *
 * <p>The verdict depends on the history only. Times are taken by the client: an operation's recorded interval
 * contains its real one, so the check can miss a violation by a few microseconds but never reports one that is
 * not there.
 */
public final class ReadAfterWriteCheck {
  private ReadAfterWriteCheck() {
  }

  /** Every read that returned an older version than a write completed before it was invoked, with that write. */
  public static List<String> violations(List<Op> history) {
    List<String> violations = new ArrayList<>();
    Map<Long, List<Op>> byProduct = history.stream().filter(Op::ok)
        .collect(Collectors.groupingBy(Op::product));
    byProduct.forEach((product, ops) -> {
      List<Op> writes = ops.stream().filter(op -> op.kind() == Op.Kind.WRITE)
          .sorted(Comparator.comparingLong(Op::completedNanos)).toList();
      long[] completed = new long[writes.size()];
      Op[] newest = new Op[writes.size()]; // the newest version among the writes completed up to index i
      for (int i = 0; i < writes.size(); i++) {
        completed[i] = writes.get(i).completedNanos();
        newest[i] = i > 0 && newest[i - 1].version() >= writes.get(i).version() ? newest[i - 1] : writes.get(i);
      }
      for (Op read : ops) {
        if (read.kind() != Op.Kind.READ) {
          continue;
        }
        int before = lastBefore(completed, read.invokedNanos());
        if (before >= 0 && read.version() < newest[before].version()) {
          violations.add(read + " after " + newest[before]);
        }
      }
    });
    return violations;
  }

  /** The index of the last completion strictly before {@code time}, or -1. */
  private static int lastBefore(long[] completed, long time) {
    int low = 0;
    int high = completed.length - 1;
    int found = -1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      if (completed[middle] < time) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }
}
