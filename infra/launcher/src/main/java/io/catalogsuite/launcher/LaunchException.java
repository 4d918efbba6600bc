package io.catalogsuite.launcher;

/** The suite could not start; the message says what failed and, where it helps, shows the log that says why. */
public final class LaunchException extends Exception {
  public LaunchException(String message) {
    super(message);
  }

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
