package io.catalogsuite.common.http;

import io.micrometer.core.instrument.config.MeterFilter;
import java.util.List;

/**
 * An HTTP method as a metric label: a standard method by its name, any other as {@value #OTHER}. A client may send
 * any token as a method ({@code HOSTILEX1 /x}); as a label each one would add series to {@code /metrics} without
 * bound.
 */
public final class MethodLabel {
  public static final String OTHER = "other";
  /** The methods of RFC 9110 §9 and PATCH (RFC 5789), in the order of {@link #index}. */
  public static final List<String> STANDARD = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
      "TRACE", "CONNECT");
  /** How many distinct labels there are: the standard methods and {@value #OTHER}. */
  public static final int COUNT = STANDARD.size() + 1;
  /** The tag Vert.x's HTTP metrics put the method in. */
  private static final String TAG = "method";

  private MethodLabel() {
  }

  /** The label of {@code method}: itself when standard, else {@value #OTHER}. */
  public static String of(String method) {
    int index = index(method);
    return index < STANDARD.size() ? STANDARD.get(index) : OTHER;
  }

  /** {@code method}'s position in {@link #STANDARD}, or {@code STANDARD.size()} ({@value #OTHER}). */
  public static int index(String method) {
    int index = STANDARD.indexOf(method);
    return index < 0 ? STANDARD.size() : index;
  }

  /** Bounds the {@code method} tag of every meter of a registry (Vert.x's HTTP server and client metrics). */
  public static MeterFilter filter() {
    return MeterFilter.replaceTagValues(TAG, MethodLabel::of);
  }
}
