package io.catalogsuite.catalog.imports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
  private final List<LineSplitter.Line> lines = new ArrayList<>();
  private final LineSplitter splitter = new LineSplitter(10, lines::add);

  private void feed(String... chunks) {
    for (String chunk : chunks) {
      splitter.feed(chunk.getBytes(StandardCharsets.UTF_8));
    }
    splitter.finish();
  }

  private static LineSplitter.Line text(long number, String text) {
    return new LineSplitter.Line(number, text, null);
  }

  private static LineSplitter.Line refused(long number, String reason) {
    return new LineSplitter.Line(number, null, reason);
  }

  @Test
  void lines_endWithLfOrCrLf_theLastMayHaveNoEnd() {
    feed("a\nb\r\nc");
    assertThat(lines).containsExactly(text(1, "a"), text(2, "b"), text(3, "c"));
    assertThat(splitter.lines()).isEqualTo(3);
  }

  @Test
  void blankLines_skippedButCounted() {
    feed("\n  \t\na\r\n\r\n\nb\n");
    assertThat(lines).containsExactly(text(3, "a"), text(6, "b"));
    assertThat(splitter.lines()).isEqualTo(6);
  }

  @Test
  void lineSplitAcrossChunks_joined_evenInsideAUtf8Character() {
    byte[] bytes = "ü€\nx".getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      splitter.feed(new byte[] {b});
    }
    splitter.finish();
    assertThat(lines).containsExactly(text(1, "ü€"), text(2, "x"));
  }

  @Test
  void crLfSplitAcrossChunks() {
    feed("abc\r", "\ndef");
    assertThat(lines).containsExactly(text(1, "abc"), text(2, "def"));
  }

  @Test
  void tooLongLine_refused_andTheNextLinesGoOn() {
    feed("0123456789\n", "01234567890\r\n", "0123456789", "0123456789\n", "ok\n");
    assertThat(lines).containsExactly(text(1, "0123456789"), refused(2, "line longer than 10 bytes"),
        refused(3, "line longer than 10 bytes"), text(4, "ok"));
  }

  @Test
  void tooLongLastLine_withoutEnd_refused() {
    feed("ok\n", "x".repeat(25));
    assertThat(lines).containsExactly(text(1, "ok"), refused(2, "line longer than 10 bytes"));
  }

  @Test
  void exactlyMaxBytesWithCrLf_kept() {
    feed("0123456789\r\n");
    assertThat(lines).containsExactly(text(1, "0123456789"));
  }

  @Test
  void invalidUtf8_andNulBytes_refused() {
    splitter.feed(new byte[] {'a', (byte) 0xC3, '\n', 'b', 0, 'c', '\n', 'd'});
    splitter.finish();
    assertThat(lines).containsExactly(refused(1, "not UTF-8 text"), refused(2, "not JSON: holds a NUL byte"),
        text(3, "d"));
  }

  @Test
  void byteOrderMark_ignoredOnTheFirstLineOnly() {
    feed("\uFEFFa\n\uFEFFb");
    assertThat(lines).containsExactly(text(1, "a"), text(2, "\uFEFFb"));
  }

  @Test
  void emptyUpload_noLines() {
    feed();
    assertThat(lines).isEmpty();
    assertThat(splitter.lines()).isZero();
  }
}
