/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.logging;

import java.util.Locale;
import org.slf4j.event.Level;

/** The agent's one log threshold, set from {@code opsagent.log.level}. */
public final class LogLevel {

  private static volatile int threshold = Level.INFO.toInt();

  private LogLevel() {}

  static boolean enabled(Level level) {
    return level.toInt() >= threshold;
  }

  /**
   * Sets the threshold.
   *
   * @param name {@code error}, {@code warn}, {@code info}, {@code debug}, {@code trace} or {@code
   *     off}
   * @return whether the name was understood; the threshold is unchanged when it was not
   */
  public static boolean set(String name) {
    String normalized = name.trim().toUpperCase(Locale.ROOT);
    if (normalized.equals("OFF")) {
      threshold = Integer.MAX_VALUE;
      return true;
    }
    for (Level level : Level.values()) {
      if (level.name().equals(normalized)) {
        threshold = level.toInt();
        return true;
      }
    }
    return false;
  }
}
