package io.catalogsuite.catalog.imports;

import io.vertx.core.json.JsonObject;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How far an import has come, in bytes of its upload: how much is stored (in Postgres, so acknowledged once the
 * upload ends) and how much is processed (its batches written). As shares of the whole when the whole is known:
 * from the start when the client announced its size ({@code Content-Length}), otherwise once the upload has
 * ended.
 *
 * @param expected  the size the client announced, if it did
 * @param stored    bytes stored so far
 * @param processed bytes of the batches written so far
 * @param received  whether the upload has ended (every byte is stored)
 */
record ImportProgress(OptionalLong expected, long stored, long processed, boolean received) {

  ImportProgress {
    if (stored < 0 || processed < 0 || processed > stored) {
      throw new IllegalArgumentException("progress: 0 <= processed (" + processed + ") <= stored (" + stored + ")");
    }
  }

  /** The whole upload's size: stored, once it has ended; announced, before; unknown otherwise. */
  OptionalLong total() {
    return received ? OptionalLong.of(stored) : expected;
  }

  OptionalDouble storedShare() {
    return share(stored);
  }

  OptionalDouble processedShare() {
    return share(processed);
  }

  private OptionalDouble share(long bytes) {
    OptionalLong total = total();
    if (total.isEmpty()) {
      return OptionalDouble.empty();
    }
    // A body of blank lines only is refused, so a received total is above 0; an announced 0 is a body with no line.
    long whole = total.getAsLong();
    return OptionalDouble.of(whole == 0 ? 1 : Math.min(1.0, (double) bytes / whole));
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("bytesExpected", expected.isPresent() ? expected.getAsLong() : null)
        .put("bytesStored", stored)
        .put("bytesProcessed", processed)
        .put("stored", storedShare().isPresent() ? storedShare().getAsDouble() : null)
        .put("processed", processedShare().isPresent() ? processedShare().getAsDouble() : null);
  }
}
