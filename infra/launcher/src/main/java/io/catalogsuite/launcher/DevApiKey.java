package io.catalogsuite.launcher;

/**
 * The development API key of a local suite, a {@link LocalSecret} kept in {@code .suite/dev-api-key}. The gateway
 * gets it through {@code GATEWAY_API_KEYS} with the roles {@code admin} and {@code write}.
 */
final class DevApiKey {
  static final String NAME = "suite-dev";
  static final String ROLES = "admin|write";

  private DevApiKey() {
  }

  /** The {@code GATEWAY_API_KEYS} value that gives {@code key} the roles admin and write. */
  static String gatewayApiKeys(String key) {
    return NAME + ":" + key + ":" + ROLES;
  }
}
