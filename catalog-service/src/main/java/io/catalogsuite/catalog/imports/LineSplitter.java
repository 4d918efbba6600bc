package io.catalogsuite.catalog.imports;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts an NDJSON upload into lines as its bytes arrive, holding at most one line in memory.
 *
 * <p>A line ends with {@code \n} or {@code \r\n}; the last one may have no end. Lines are numbered from 1 and
 * every line counts, blank ones too, so a reported number is the line an editor shows; blank lines (only spaces
 * and tabs) are then skipped. A line that cannot be stored as text is handed on as {@linkplain Line#rejected()
 * rejected}, with the reason, and never kept: one longer than the maximum (its bytes are skipped up to its end,
 * so a huge line costs no memory), one that is not UTF-8, and one holding a NUL byte (no JSON text does, and
 * Postgres text cannot hold one). A UTF-8 byte order mark before the first line is ignored.
 */
final class LineSplitter {
  /**
   * One line of the upload: its number, and its text or the reason it was refused (exactly one is set).
   */
  record Line(long number, String text, String rejection) {
    boolean rejected() {
      return rejection != null;
    }
  }

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final int maxBytes;
  private final Consumer<Line> sink;
  private byte[] current = new byte[1024];
  private int length;
  private boolean tooLong;
  private long number;

  /** A splitter handing each non-blank line to {@code sink}, lines over {@code maxBytes} (without end) rejected. */
  LineSplitter(int maxBytes, Consumer<Line> sink) {
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  /** Takes the next bytes of the upload; hands on every line they complete. */
  void feed(byte[] bytes) {
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        append(bytes, start, i - start);
        endLine();
        start = i + 1;
      }
    }
    append(bytes, start, bytes.length - start);
  }

  /** The upload has ended: hands on its last line if it had no line end. */
  void finish() {
    if (length > 0 || tooLong) {
      endLine();
    }
  }

  /** How many lines the upload had so far, blank ones included. */
  long lines() {
    return number;
  }

  private void append(byte[] bytes, int offset, int count) {
    if (tooLong || count == 0) {
      return;
    }
    if (length + count > maxBytes + 1) { // + 1: room for the '\r' of a "\r\n" end
      tooLong = true;
      length = 0;
      return;
    }
    if (length + count > current.length) {
      byte[] larger = new byte[Math.min(maxBytes + 1, Math.max(current.length * 2, length + count))];
      System.arraycopy(current, 0, larger, 0, length);
      current = larger;
    }
    System.arraycopy(bytes, offset, current, length, count);
    length += count;
  }

  private void endLine() {
    number++;
    int end = length > 0 && current[length - 1] == '\r' ? length - 1 : length;
    int start = number == 1 && startsWithBom(end) ? BOM.length : 0;
    boolean tooLongLine = tooLong || end > maxBytes;
    length = 0;
    tooLong = false;
    if (tooLongLine) {
      sink.accept(new Line(number, null, "line longer than " + maxBytes + " bytes"));
    } else if (!blank(start, end)) {
      sink.accept(decode(start, end));
    }
  }

  private boolean startsWithBom(int end) {
    return end >= BOM.length && current[0] == BOM[0] && current[1] == BOM[1] && current[2] == BOM[2];
  }

  private boolean blank(int start, int end) {
    for (int i = start; i < end; i++) {
      if (current[i] != ' ' && current[i] != '\t' && current[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private Line decode(int start, int end) {
    for (int i = start; i < end; i++) {
      if (current[i] == 0) {
        return new Line(number, null, "not JSON: holds a NUL byte");
      }
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(current, start, end - start))
          .toString();
      return new Line(number, text, null);
    } catch (CharacterCodingException e) {
      return new Line(number, null, "not UTF-8 text");
    }
  }
}
