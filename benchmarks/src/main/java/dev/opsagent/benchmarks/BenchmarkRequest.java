/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.bootstrap.RequestContext;

/**
 * A request as the agent's record of one would be, minus the record: other threads' work is added
 * to it the same way. A benchmark makes a new one per iteration, so no iteration runs on counters
 * grown by the ones before it, and checks afterwards that the work it measured really was counted.
 */
final class BenchmarkRequest extends RequestContext {

  /** What other threads did for the request; see {@link RequestContext#end}. */
  private long[] totals;

  /**
   * Ends the request.
   *
   * @throws IllegalStateException if fewer than {@code minTasks} tasks were handed off for it or
   *     their CPU time was not added: the benchmark would have measured some other path
   */
  void endAndCheck(long minTasks) {
    if (!end(counted -> totals = counted)) {
      throw new IllegalStateException("work still running for the request at the iteration's end");
    }
    long cpuNanos = totals[0];
    long tasks = totals[4];
    if (tasks < minTasks || cpuNanos <= 0) {
      throw new IllegalStateException(
          "the request saw " + tasks + " tasks and " + cpuNanos + " ns of their CPU time");
    }
  }

  @Override
  protected void lateWork(long cpuNanos, long allocatedBytes) {
    throw new IllegalStateException("work finished after the request ended");
  }
}
