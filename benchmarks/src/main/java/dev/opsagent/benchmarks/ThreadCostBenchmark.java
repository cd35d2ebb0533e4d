/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.instrumentation.runtime.GcPauses;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One reading of the calling thread's counters, which a task run for a request takes twice, and its
 * parts. {@link #read} with contention monitoring on and off tells what the blocked and waited
 * times cost per reading.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ThreadCostBenchmark {

  /**
   * @return CPU time, allocated bytes and, with contention monitoring on, blocked and waited times
   */
  @Benchmark
  public ThreadCost.Reading read(ContentionMonitoring contention) {
    return ThreadCost.read();
  }

  /**
   * @return the thread's CPU clock alone
   */
  @Benchmark
  public long cpuTimeNanos() {
    return ThreadCost.cpuTimeNanos();
  }

  /**
   * @return the JVM's stop-the-world GC pause total ({@code GcPauses.totalNanos()}), which a
   *     request reads at its start and its end
   */
  @Benchmark
  public long gcPauseTotal() {
    return GcPauses.totalNanos();
  }

  /**
   * @return the thread's allocation counter alone
   */
  @Benchmark
  public long allocatedBytes() {
    return ThreadCost.allocatedBytes();
  }
}
