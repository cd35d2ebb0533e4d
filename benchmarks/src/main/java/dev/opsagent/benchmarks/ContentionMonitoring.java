/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.instrumentation.runtime.ThreadCost;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The JVM's thread contention monitoring, on or off for a whole trial. The agent switches it on by
 * default ({@code opsagent.thread-contention-monitoring}) so that each reading can include blocked
 * and waited times; a benchmark that takes this state as an argument runs once each way.
 */
@State(Scope.Benchmark)
public class ContentionMonitoring {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Whether thread contention monitoring is on while the benchmark runs. */
  @Param({"false", "true"})
  public boolean contentionMonitoring;

  /**
   * Puts the JVM and {@link ThreadCost} in the state asked for. {@link
   * ThreadCost#monitorContention(boolean)} never switches monitoring off (the agent leaves the
   * JVM's setting alone then), so this does it first.
   */
  @Setup(Level.Trial)
  public void apply() {
    if (!contentionMonitoring && THREADS.isThreadContentionMonitoringSupported()) {
      THREADS.setThreadContentionMonitoringEnabled(false);
    }
    ThreadCost.monitorContention(contentionMonitoring);
    if (THREADS.isThreadContentionMonitoringEnabled() != contentionMonitoring) {
      throw new IllegalStateException(
          "thread contention monitoring cannot be switched "
              + (contentionMonitoring ? "on" : "off")
              + " in this JVM");
    }
  }

  /** Leaves monitoring off, as the JVM starts, for a trial run in the same JVM ({@code -f 0}). */
  @TearDown(Level.Trial)
  public void reset() {
    ThreadCost.stopMonitoringContention();
  }
}
