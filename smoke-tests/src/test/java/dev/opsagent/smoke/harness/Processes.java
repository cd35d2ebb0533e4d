/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Stopping child processes. */
final class Processes {

  private Processes() {}

  /**
   * Stops {@code process} and the processes it started as an orchestrator would: SIGTERM first, so
   * shutdown hooks (the agent's final flush) run; SIGKILL to whatever is still alive after {@code
   * grace}. Signals go through the {@link ProcessHandle} because {@link Process#destroy()} also
   * closes the output pipes, which would lose whatever the process prints while shutting down.
   */
  static void stop(Process process, Duration grace) throws InterruptedException {
    ProcessHandle handle = process.toHandle();
    List<ProcessHandle> descendants = handle.descendants().collect(Collectors.toList());
    try {
      descendants.forEach(ProcessHandle::destroy);
      if (handle.destroy() && !process.waitFor(grace.toMillis(), MILLISECONDS)) {
        handle.destroyForcibly();
        process.waitFor();
      }
    } finally {
      descendants.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
