package io.catalogsuite.common.config;

/** A configuration value is missing or malformed. Thrown at start, before anything listens. */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }
}
