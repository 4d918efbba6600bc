package io.catalogsuite.common.http;

import java.util.Locale;

/** Media types (RFC 9110 §8.3.1) as the services compare them. */
public final class MediaTypes {
  private MediaTypes() {
  }

  /**
   * The media type of a {@code Content-Type} value, in lower case and without its parameters: that of
   * {@code Application/X-NDJSON; charset=utf-8} is {@code application/x-ndjson}. Null for null.
   */
  public static String of(String contentType) {
    return contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }
}
