/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import dev.opsagent.bootstrap.RequestContext;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** A request as the agent's recorder would keep it, with its late work kept for the test. */
public final class TestRequest extends RequestContext {
  public long lateCpuNanos = -1;

  @Override
  protected void lateWork(long cpuNanos, long allocatedBytes) {
    lateCpuNanos = cpuNanos;
  }

  /** The recorder's end: completes now, or when the work still running finishes. */
  public boolean endWhenIdle(Consumer<long[]> complete) {
    return end(complete);
  }

  /** The recorder's grace expiry. */
  public void graceExpired() {
    endNow();
  }

  /** Ends the request as the recorder does, without waiting for work still running. */
  public long[] finish() {
    AtomicReference<long[]> totals = new AtomicReference<>();
    if (!end(totals::set)) {
      endNow();
    }
    return totals.get();
  }

  /** Burns {@code millis} of the calling thread's CPU time. */
  public static void burnCpu(long millis) {
    long end = ThreadCost.cpuTimeNanos() + millis * 1_000_000;
    while (ThreadCost.cpuTimeNanos() < end) {
      Thread.onSpinWait();
    }
  }
}
