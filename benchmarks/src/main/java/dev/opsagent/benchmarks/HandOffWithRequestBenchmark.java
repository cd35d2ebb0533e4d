/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One hand-off of an empty task for a request, from the hand-off to the end of the task, on one
 * thread: the request is current while the task is handed off, then cleared, so the task runs as it
 * would on a pool's worker, which works for no request. Running it makes the request current, takes
 * two {@code ThreadCost} readings (each reads the thread's CPU clock, its allocation counter and,
 * with contention monitoring on, its blocked and waited times) and adds the difference to the
 * request. The aim is at most 1.5 µs per hand-off, readings included.
 *
 * <p>{@link #harness} is the benchmark's own share (clearing the request and making it current
 * again, running the task): subtract it to get the agent's share.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandOffWithRequestBenchmark {

  private final Runnable task = () -> {};
  private final ForkJoinTask<?> forkJoinTask = ForkJoinTask.adapt(task);

  private BenchmarkRequest request;
  private long handOffs;

  /** The agent's hooks, as installed when it starts. */
  @Setup(Level.Trial)
  public void install() {
    RequestTasks.install(new InstrumentationHealth("executors", 10));
  }

  /** A fresh request per iteration, current on the benchmark thread. */
  @Setup(Level.Iteration)
  public void startRequest() {
    request = new BenchmarkRequest();
    request.makeCurrent();
    handOffs = 0;
  }

  /** Ends the iteration's request and checks that every hand-off was counted. */
  @TearDown(Level.Iteration)
  public void endRequest() {
    RequestContext.clearCurrent();
    if (handOffs > 0) {
      request.endAndCheck(handOffs);
    }
  }

  /** The benchmark's own steps around a hand-off, without the hand-off. */
  @Benchmark
  public void harness() {
    RequestContext.clearCurrent();
    task.run();
    request.makeCurrent();
  }

  /**
   * A task handed to an executor (or a new thread) and run: {@code wrap} on the handing thread,
   * then the wrapper on the worker.
   */
  @Benchmark
  public void wrappedTask(ContentionMonitoring contention) {
    Runnable wrapped = Bridge.tasks.wrap(task);
    RequestContext.clearCurrent();
    wrapped.run();
    request.makeCurrent();
    handOffs++;
  }

  /**
   * A fork/join task forked and run: {@code attach} on the forking thread, then {@code
   * taskStarting} and {@code taskFinished} around the task on the worker.
   */
  @Benchmark
  public void forkJoinTask(ContentionMonitoring contention) {
    Bridge.tasks.attach(forkJoinTask);
    RequestContext.clearCurrent();
    Object token = Bridge.tasks.taskStarting(forkJoinTask);
    task.run();
    Bridge.tasks.taskFinished(token);
    request.makeCurrent();
    handOffs++;
  }
}
