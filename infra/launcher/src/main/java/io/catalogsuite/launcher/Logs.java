package io.catalogsuite.launcher;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The suite's log files: appended to across runs, with a header where each run begins, and kept to a size
 * ({@link #rotate}).
 */
final class Logs {
  private static final int TAIL_BYTES = 16 * 1024;
  /**
   * The size at which an instance's log is rotated: the gateway's access log alone is a line of about 300 bytes per
   * request, 1 GB in 20 minutes of benchmark. With the one older file kept, at most twice this per instance.
   */
  static final long MAX_BYTES = 100L * 1024 * 1024;

  private Logs() {
  }

  /** Appends a header naming {@code what} and the time; returns the offset where this run's output begins. */
  static long begin(Path log, String what) throws IOException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "==== " + what + " starting at " + Instant.now() + " ====\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return Files.size(log);
  }

  /**
   * When {@code log} has grown past {@code maxBytes}: copies it to {@code <name>.1} (replacing the copy before) and
   * empties it, as logrotate's {@code copytruncate} does. A process writing to it keeps its file open, in append
   * mode (the instances' output is redirected so), and goes on writing at the new end: the start of the emptied
   * file. What it writes while the file is copied is lost, and the copy may end with part of a line. Returns
   * whether it rotated.
   */
  static boolean rotate(Path log, long maxBytes) throws IOException {
    if (!Files.exists(log) || Files.size(log) <= maxBytes) {
      return false;
    }
    Files.copy(log, previous(log), StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
      file.truncate(0);
    }
    return true;
  }

  /** Where {@link #rotate} keeps what {@code log} held before. */
  static Path previous(Path log) {
    return log.resolveSibling(log.getFileName() + ".1");
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
