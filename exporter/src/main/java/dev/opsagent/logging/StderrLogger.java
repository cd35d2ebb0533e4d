/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.logging;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Writes one line per event to standard error, prefixed {@code [opsagent]} so an operator can tell
 * the agent's lines from the application's. Never touches the application's logging set-up.
 */
final class StderrLogger extends LegacyAbstractLogger {

  private static final long serialVersionUID = 1L;

  private final String shortName;

  StderrLogger(String name) {
    this.name = name;
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public boolean isTraceEnabled() {
    return LogLevel.enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogLevel.enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogLevel.enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogLevel.enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogLevel.enabled(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  /** The stack trace as {@link Throwable#printStackTrace()} writes it, hidden values masked. */
  private static String stackTrace(Throwable throwable) {
    StringWriter text = new StringWriter();
    try (PrintWriter writer = new PrintWriter(text)) {
      throwable.printStackTrace(writer);
    }
    return HiddenValues.mask(text.toString());
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
    String message = HiddenValues.mask(MessageFormatter.basicArrayFormat(pattern, arguments));
    StringBuilder line = new StringBuilder(64 + message.length());
    line.append("[opsagent] ")
        .append(Instant.now())
        .append(' ')
        .append(level)
        .append(' ')
        .append(shortName)
        .append(": ")
        .append(message);
    PrintStream err = System.err;
    synchronized (err) {
      err.println(line);
      if (throwable != null) {
        err.print(stackTrace(throwable));
      }
    }
  }
}
