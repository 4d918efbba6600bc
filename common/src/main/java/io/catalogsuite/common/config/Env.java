package io.catalogsuite.common.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed, fail-fast access to environment variables.
 *
 * <p>Every read names the variable and its default, so a service's configuration record reads like its
 * documentation. A malformed value throws {@link ConfigException} naming the variable and what was expected;
 * a service never starts half-configured.
 */
public final class Env {
  private final Map<String, String> vars;

  private Env(Map<String, String> vars) {
    this.vars = Map.copyOf(vars);
  }

  public static Env of(Map<String, String> vars) {
    return new Env(Objects.requireNonNull(vars, "vars"));
  }

  /** The variable's value, or empty when it is unset or blank. */
  public Optional<String> optional(String name) {
    String value = vars.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  /**
   * Stops the start when a setting that is no longer read is set, rather than ignore it silently; {@code why}
   * says what replaced it.
   */
  public void retired(String name, String why) {
    optional(name).ifPresent(value -> {
      throw new ConfigException(name + " is no longer read: " + why + "; got '" + value + "'");
    });
  }

  public String string(String name, String defaultValue) {
    return optional(name).orElse(defaultValue);
  }

  public int integer(String name, int defaultValue, int min, int max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the expected range
    }
    throw new ConfigException(
        name + " must be an integer from " + min + " to " + max + ", got '" + raw.get() + "'");
  }

  public double decimal(String name, double defaultValue, double min, double max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      double value = Double.parseDouble(raw.get());
      if (value >= min && value <= max) { // false for NaN
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the expected range
    }
    throw new ConfigException(name + " must be a number from " + min + " to " + max + ", got '" + raw.get() + "'");
  }

  /** {@code true} or {@code false}, in any case; anything else fails (a {@code yes} is not silently false). */
  public boolean bool(String name, boolean defaultValue) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(name + " must be true or false, got '" + raw.get() + "'");
    };
  }

  /** A comma-separated list; blank entries are dropped. */
  public List<String> list(String name, String defaultValue) {
    return Arrays.stream(string(name, defaultValue).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  public <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    try {
      return Enum.valueOf(type, raw.get().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          name + " must be one of " + Arrays.toString(type.getEnumConstants()) + ", got '" + raw.get() + "'");
    }
  }
}
