package io.catalogsuite.common.config;

/** A configuration value is missing or malformed. Thrown at start, before anything listens. */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }

  /**
   * A check across settings (Caffeine's {@code requireArgument} pattern): fails with the message, formatted
   * with {@code args}, unless {@code holds}.
   */
  public static void require(boolean holds, String message, Object... args) {
    if (!holds) {
      throw new ConfigException(String.format(message, args));
    }
  }
}
