/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.instrumentation.runtime.ThreadCost;

/**
 * Bytes allocated by the benchmark's own thread over an iteration, per operation. JMH's {@code
 * -prof gc} counts every thread's allocation, the batch span processor's worker included, which
 * turns each span into the data it exports; this counts only what the request's thread allocated.
 * Printed after each iteration as {@code [request thread] N B/op}.
 */
final class ThreadAllocation {

  private long atStart;

  void start() {
    atStart = ThreadCost.allocatedBytes();
  }

  /** Prints what the thread allocated since {@link #start}, per operation. */
  void print(long operations) {
    long allocated = ThreadCost.allocatedBytes() - atStart;
    if (operations > 0) {
      System.out.printf("[request thread] %.0f B/op%n", (double) allocated / operations);
    }
  }
}
