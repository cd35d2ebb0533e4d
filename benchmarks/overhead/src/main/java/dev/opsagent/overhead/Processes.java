/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts, so that none outlives it: a JVM shutdown hook (also run on
 * SIGINT and SIGTERM) ends those still alive, with their children.
 */
final class Processes {

  private static final List<Process> started = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Processes::stopAll, "overhead-stop-processes"));
  }

  private Processes() {}

  static void track(Process process) {
    started.add(process);
  }

  static void stopAll() {
    for (Process process : started) {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
    for (Process process : started) {
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
