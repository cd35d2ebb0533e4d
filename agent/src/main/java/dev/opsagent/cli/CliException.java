/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

/**
 * Ends a command with one message on standard error and an exit code: the message names the cause
 * and the fix, so the user never has to read a stack trace.
 */
final class CliException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Exit code of an error the user can fix (the message says how). */
  static final int ERROR = 1;

  /** Exit code of a command line that does not say what to do. */
  static final int USAGE = 2;

  private final int exitCode;

  /** The usage text for the command concerned, printed after the message; null for none. */
  private final String usage;

  private CliException(String message, int exitCode, String usage) {
    super(message);
    this.exitCode = exitCode;
    this.usage = usage;
  }

  /** An error the user can fix: exit code 1. */
  static CliException error(String message) {
    return new CliException(message, ERROR, null);
  }

  /** An error the user can fix, with what the attach API said as {@code (cause: ...)}. */
  static CliException error(String message, Throwable cause) {
    CliException exception = error(message + " (cause: " + describe(cause) + ")");
    exception.initCause(cause);
    return exception;
  }

  /** A command line that does not say what to do: exit code 2, then {@code usage}. */
  static CliException usage(String message, String usage) {
    return new CliException(message, USAGE, usage);
  }

  int exitCode() {
    return exitCode;
  }

  /** The usage text to print after the message, or null. */
  String usageText() {
    return usage;
  }

  /** {@code SimpleClassName: message}, the way a user can search for it. */
  static String describe(Throwable throwable) {
    String message = throwable.getMessage();
    String name = throwable.getClass().getSimpleName();
    return message == null || message.isEmpty() ? name : name + ": " + message;
  }
}
