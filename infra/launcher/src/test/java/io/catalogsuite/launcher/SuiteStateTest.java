package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.launcher.SuiteState.Proc;
import io.catalogsuite.launcher.SuiteState.Status;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteStateTest {

  @Test
  void writeThenRead_givesTheSameState(@TempDir Path dir) throws Exception {
    SuiteState state = new SuiteState(Proc.of("launcher", ProcessHandle.current(), 0), Status.STARTING,
        "http://127.0.0.1:8080", "suite-1234abcd", "embedded Postgres on localhost:5555, data in /x/.suite/postgres",
        List.of(new Proc("postgres", 11, 1_700_000_000_000L, 5555)))
        .with(new Proc("cache-1", 12, 1_700_000_001_000L, 40001))
        .with(Status.READY);
    Path file = dir.resolve("state");

    state.write(file);

    SuiteState read = SuiteState.read(file).orElseThrow();
    assertThat(read.processes()).isEqualTo(state.processes());
    assertThat(read).isEqualTo(new SuiteState(new Proc("launcher", state.launcher().pid(),
        state.launcher().startMillis(), 0), Status.READY, state.gatewayUrl(), state.clusterName(),
        state.database(), state.processes()));
  }

  @Test
  void read_withoutFile_isEmpty(@TempDir Path dir) throws Exception {
    assertThat(SuiteState.read(dir.resolve("state"))).isEmpty();
  }

  @Test
  void alive_onlyForTheSameProcess() {
    Proc self = Proc.of("test", ProcessHandle.current(), 0);
    assertThat(self.alive()).isPresent();
    // The same pid, started at another time, is another program that was given a recycled pid.
    assertThat(new Proc("test", self.pid(), self.startMillis() - 60_000, 0).alive()).isEmpty();
  }
}
