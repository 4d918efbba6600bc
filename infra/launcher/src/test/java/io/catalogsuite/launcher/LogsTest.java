package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogsTest {
  /** A detached ./suite up echoes the launcher's progress from its log while the launcher is still writing it. */
  @Test
  void linesSince_leavesALineBeingWrittenForLater(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("launcher.log");
    long start = Logs.begin(log, "launcher");
    Files.writeString(log, "  + cache-service-1 started\n  + cache-serv", StandardOpenOption.APPEND);
    Logs.Lines first = Logs.linesSince(log, start);
    assertThat(first.lines()).containsExactly("  + cache-service-1 started");

    Files.writeString(log, "ice-1 ready after 2.0 s\n", StandardOpenOption.APPEND);
    Logs.Lines second = Logs.linesSince(log, first.next());
    assertThat(second.lines()).containsExactly("  + cache-service-1 ready after 2.0 s");
    assertThat(Logs.linesSince(log, second.next()).lines()).isEmpty();
  }

  /**
   * An instance's output is appended to its log by the kernel (the process's stdout opened in append mode), so
   * rotating copies and empties the file in place, and the writer goes on at its new start.
   */
  @Test
  void rotate_keepsWhatItHeldInTheOlderFile_andTheWriterGoesOnAtTheStart(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("gateway-1.log");
    try (OutputStream instance = new FileOutputStream(log.toFile(), true)) {
      instance.write("a line of 20 bytes.\n".repeat(50).getBytes(StandardCharsets.UTF_8));
      instance.flush();
      assertThat(Logs.rotate(log, 1000)).as("1,000 bytes: not past the limit").isFalse();
      instance.write("the line past it...\n".getBytes(StandardCharsets.UTF_8));

      assertThat(Logs.rotate(log, 1000)).isTrue();
      assertThat(Files.size(Logs.previous(log))).isEqualTo(1020);
      assertThat(Files.readString(Logs.previous(log))).endsWith("the line past it...\n");
      assertThat(Files.size(log)).isZero();

      instance.write("after rotating\n".getBytes(StandardCharsets.UTF_8));
      instance.flush();
      assertThat(Files.readString(log)).isEqualTo("after rotating\n");
      assertThat(Logs.rotate(log, 1000)).isFalse();
    }
    assertThat(Logs.rotate(dir.resolve("no-such.log"), 1000)).isFalse();
  }
}
