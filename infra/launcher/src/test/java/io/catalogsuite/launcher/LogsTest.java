package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

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
}
