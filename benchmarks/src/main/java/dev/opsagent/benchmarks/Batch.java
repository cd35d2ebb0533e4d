/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

/**
 * How the benchmarks that end spans are run. A thread that records spans back to back ends them
 * faster than the batch span processor's worker exports them (a request benchmark some 250,000 a
 * second, ten times what a server does here; a bare span some 3 million): with the worker on the
 * same two cores, and other processes on them, its queue of 2,048 fills and spans are dropped,
 * which is another path than the one measured. So each JMH iteration is one shot ({@code
 * SingleShotTime}) of {@value #SIZE} operations ({@code @OperationsPerInvocation}), the queue is
 * flushed before and after it, and every span must have been exported: none is dropped. The score
 * is the time per operation, averaged over the shot; JMH's error is over the shots.
 */
final class Batch {

  /** Operations per shot: half the processor's queue, with room for its worker's lag. */
  static final int SIZE = 1000;

  /** Shots to warm up: 200,000 operations, C2 compiled. */
  static final int WARMUP = 200;

  /** Shots measured. */
  static final int MEASURED = 500;

  private Batch() {}
}
