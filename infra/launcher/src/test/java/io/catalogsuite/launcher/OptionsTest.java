package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.launcher.Options.Command;
import io.catalogsuite.launcher.Options.UsageException;
import org.junit.jupiter.api.Test;

class OptionsTest {

  @Test
  void up_withoutOptions_usesDefaults() {
    assertThat(Options.parse("up")).isEqualTo(new Options(Command.UP, 2, 2, 8080, false));
  }

  @Test
  void up_withEveryOption() {
    assertThat(Options.parse("up", "--catalog", "3", "--cache", "1", "--port", "9090", "-d"))
        .isEqualTo(new Options(Command.UP, 1, 3, 9090, true));
    assertThat(Options.parse("up", "--catalog=4", "--port=8081", "--detach"))
        .isEqualTo(new Options(Command.UP, 2, 4, 8081, true));
  }

  @Test
  void downAndStatus() {
    assertThat(Options.parse("down").command()).isEqualTo(Command.DOWN);
    assertThat(Options.parse("status").command()).isEqualTo(Command.STATUS);
  }

  @Test
  void foregroundUpArgs_roundTrip_withoutDetach() {
    Options detached = Options.parse("up", "--cache", "3", "--catalog", "1", "--port", "8123", "-d");
    assertThat(Options.parse(detached.foregroundUpArgs().toArray(String[]::new)))
        .isEqualTo(new Options(Command.UP, 3, 1, 8123, false));
  }

  @Test
  void badCommandLines_sayWhatIsWrong() {
    assertUsage("no command given");
    assertUsage("unknown command 'start'", "start");
    assertUsage("unknown option '--catalogs'", "up", "--catalogs", "2");
    assertUsage("--port needs a value", "up", "--port");
    assertUsage("--catalog must be a number from 1 to 8, got 'two'", "up", "--catalog", "two");
    assertUsage("--cache must be a number from 1 to 8, got '0'", "up", "--cache", "0");
    assertUsage("--catalog must be a number from 1 to 8, got '9'", "up", "--catalog=9");
    assertUsage("--port must be a number from 1 to 65535, got '70000'", "up", "--port", "70000");
    assertUsage("--detach takes no value", "up", "--detach=yes");
    assertUsage("down takes no options, got '-d'", "down", "-d");
  }

  private static void assertUsage(String message, String... args) {
    assertThatThrownBy(() -> Options.parse(args)).isInstanceOf(UsageException.class).hasMessage(message);
  }
}
