package io.catalogsuite.launcher;

import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code ./suite} (after the script has handled {@code help}): a command and, for
 * {@code up}, how many instances to run, the gateway port and whether to return once ready.
 */
record Options(Command command, int cacheInstances, int catalogInstances, int gatewayPort, boolean detach) {
  static final int DEFAULT_INSTANCES = 2;
  static final int DEFAULT_GATEWAY_PORT = 8080;
  /** Each instance is a JVM of up to 256 MB heap; more than this is a typo, not a local suite. */
  static final int MAX_INSTANCES = 8;

  enum Command { UP, DOWN, STATUS }

  /** Thrown for a command line that makes no sense; the message says what is wrong with it. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }

  static Options parse(String... args) {
    if (args.length == 0) {
      throw new UsageException("no command given");
    }
    Command command = switch (args[0]) {
      case "up" -> Command.UP;
      case "down" -> Command.DOWN;
      case "status" -> Command.STATUS;
      default -> throw new UsageException("unknown command '" + args[0] + "'");
    };
    int cache = DEFAULT_INSTANCES;
    int catalog = DEFAULT_INSTANCES;
    int port = DEFAULT_GATEWAY_PORT;
    boolean detach = false;
    for (int i = 1; i < args.length; i++) {
      if (command != Command.UP) {
        throw new UsageException(command.name().toLowerCase(Locale.ROOT) + " takes no options, got '" + args[i] + "'");
      }
      // Both "--port 8081" and "--port=8081".
      String[] option = args[i].startsWith("--") ? args[i].split("=", 2) : new String[] {args[i]};
      String name = option[0];
      switch (name) {
        case "-d", "--detach" -> {
          if (option.length > 1) {
            throw new UsageException(name + " takes no value");
          }
          detach = true;
        }
        case "--cache", "--catalog", "--port" -> {
          String value;
          if (option.length > 1) {
            value = option[1];
          } else if (i + 1 < args.length) {
            value = args[++i];
          } else {
            throw new UsageException(name + " needs a value");
          }
          switch (name) {
            case "--cache" -> cache = number(name, value, 1, MAX_INSTANCES);
            case "--catalog" -> catalog = number(name, value, 1, MAX_INSTANCES);
            default -> port = number(name, value, 1, 65535);
          }
        }
        default -> throw new UsageException("unknown option '" + args[i] + "'");
      }
    }
    return new Options(command, cache, catalog, port, detach);
  }

  private static int number(String option, String value, int min, int max) {
    try {
      int number = Integer.parseInt(value);
      if (number >= min && number <= max) {
        return number;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the expected range
    }
    throw new UsageException(option + " must be a number from " + min + " to " + max + ", got '" + value + "'");
  }

  /** The arguments of a foreground {@code up} with these options: what a detached launcher runs. */
  List<String> foregroundUpArgs() {
    return List.of("up",
        "--cache", Integer.toString(cacheInstances),
        "--catalog", Integer.toString(catalogInstances),
        "--port", Integer.toString(gatewayPort));
  }
}
