package io.catalogsuite.gateway;

/** Exponential growth with a ceiling, as ejections and retry backoffs use it. */
public final class Doubling {
  private Doubling() {
  }

  /** {@code base} doubled {@code times} times, but never more than {@code max} (and no overflow on the way). */
  public static long capped(long base, int times, long max) {
    long value = base;
    for (int i = 0; i < times && value < max; i++) {
      value *= 2;
    }
    return Math.min(value, max);
  }
}
