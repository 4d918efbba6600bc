package io.catalogsuite.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** The suite's log files: appended to across runs, with a header where each run begins. */
final class Logs {
  private static final int TAIL_BYTES = 16 * 1024;

  private Logs() {
  }

  /** Appends a header naming {@code what} and the time; returns the offset where this run's output begins. */
  static long begin(Path log, String what) throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "==== " + what + " starting at " + Instant.now() + " ====\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return Files.size(log);
  }

  /** Everything written to {@code log} after {@code from}. */
  static String since(Path log, long from) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, file.length() - from)];
      file.seek(from);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Whole lines read from a log, and the offset after the last of them (where a partial line begins). */
  record Lines(List<String> lines, long next) {
  }

  /** The whole lines written to {@code log} after {@code from}; a line still being written is left for later. */
  static Lines linesSince(Path log, long from) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, file.length() - from)];
      file.seek(from);
      file.readFully(bytes);
      int end = bytes.length;
      while (end > 0 && bytes[end - 1] != '\n') {
        end--;
      }
      String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
      return new Lines(text.isEmpty() ? List.of() : List.of(text.split("\n")), from + end);
    }
  }

  /** The last {@code lines} lines written to {@code log} after {@code from}, to show why something failed. */
  static String tail(Path log, long from, int lines) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(from, file.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) Math.max(0, file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(could not read " + log + ": " + e.getMessage() + ")";
    }
  }
}
