/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.instrumentation.runtime.ThreadCost;

/**
 * Bytes allocated by the benchmark's own thread, per operation. JMH's {@code -prof gc} counts every
 * thread's allocation, the batch span processor's worker included, which turns each span into the
 * data it exports; this counts only what the request's thread allocated. Every 100 shots it prints
 * the average over them, as {@code [request thread] N B/op (shots k-m)}: the last line is over
 * measured shots only.
 */
final class ThreadAllocation {

  private static final int PRINT_EVERY = 100;

  private long atStart;
  private long bytes;
  private long operations;
  private int shots;

  void start() {
    atStart = ThreadCost.allocatedBytes();
  }

  /** Adds what the thread allocated since {@link #start}; prints every 100 shots. */
  void stop(long operationsInShot) {
    bytes += ThreadCost.allocatedBytes() - atStart;
    operations += operationsInShot;
    shots++;
    if (shots % PRINT_EVERY == 0 && operations > 0) {
      System.out.printf(
          "[request thread] %.0f B/op (shots %d-%d)%n",
          (double) bytes / operations, shots - PRINT_EVERY + 1, shots);
      bytes = 0;
      operations = 0;
    }
  }
}
