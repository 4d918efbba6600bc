package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.launcher.SuiteState.Proc;
import io.catalogsuite.launcher.SuiteState.Status;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteSummaryTest {

  /** A detached launcher's output is .suite/logs/launcher.log: the summary says where the key is, not what. */
  @Test
  void summary_namesTheKeysFile_neverTheKey(@TempDir Path root) throws Exception {
    Workspace workspace = new Workspace(root);
    String key = LocalSecret.loadOrCreate(workspace.devApiKey());
    SuiteState state = new SuiteState(Proc.of("launcher", ProcessHandle.current(), 0), Status.READY,
        "http://127.0.0.1:8080", "suite-1234abcd", "embedded Postgres", List.of());

    for (boolean foreground : new boolean[] {true, false}) {
      String summary = new Suite(workspace, new PrintStream(PrintStream.nullOutputStream()))
          .summary(state, Duration.ofSeconds(20), foreground);
      assertThat(summary).doesNotContain(key).contains("API key   in ").contains("dev-api-key");
    }
  }
}
