/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import java.util.concurrent.TimeUnit;

/**
 * How long each phase of the agent's start took, for the debug log: start-up time is a budget, and
 * this says where it goes.
 */
final class StartupPhases {

  private final StringBuilder text = new StringBuilder();
  private long lastNanos;

  StartupPhases(long startNanos) {
    this.lastNanos = startNanos;
  }

  void done(String phase) {
    long now = System.nanoTime();
    if (text.length() > 0) {
      text.append(", ");
    }
    text.append(phase)
        .append(' ')
        .append(TimeUnit.NANOSECONDS.toMillis(now - lastNanos))
        .append(" ms");
    lastNanos = now;
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
