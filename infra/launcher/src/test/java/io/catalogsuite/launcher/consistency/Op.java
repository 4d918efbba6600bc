package io.catalogsuite.launcher.consistency;

/**
 * One operation of a history: a read or a write of one product on one instance, with when the client invoked it and
 * when it saw the answer (one clock: the test's {@code System.nanoTime()}).
 *
 * @param version the version the operation saw or wrote; for a read that found no product, 0; meaningless unless
 *                {@code ok}
 * @param ok      whether it was answered (200, or 404 for a read); a failed or timed-out operation is kept in the
 *                history but says nothing: a write that timed out may or may not have happened
 */
public record Op(Kind kind, long product, String instance, long invokedNanos, long completedNanos, long version,
    boolean ok) {
  public enum Kind { READ, WRITE }

  @Override
  public String toString() {
    return kind + " product " + product + " on " + instance + ": version " + version + " (invoked "
        + invokedNanos / 1_000_000 + " ms, completed " + completedNanos / 1_000_000 + " ms)";
  }
}
