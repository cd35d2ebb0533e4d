/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the advice woven into executors, threads and fork/join tasks adds to a hand-off when the
 * handing thread works for no request: the common case, paid by every task any pool runs between
 * requests and by every pool the application runs outside them. Each benchmark makes the calls the
 * advice makes, reading {@link Bridge#tasks} each time as the advice does. The aim is at most 20 ns
 * and no allocation; {@link #baseline} is the same call site doing nothing but return the task.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandOffWithoutRequestBenchmark {

  private final Runnable runnable = () -> {};
  private final Callable<Object> callable = () -> null;
  private final ForkJoinTask<?> forkJoinTask = ForkJoinTask.adapt(runnable);

  /** The agent's hooks, as installed when it starts; no request current on this thread. */
  @Setup
  public void install() {
    RequestTasks.install(new InstrumentationHealth("executors", 10));
    RequestContext.clearCurrent();
    if (!(Bridge.tasks instanceof RequestTasks)) {
      throw new IllegalStateException("the agent's task hooks are not installed");
    }
  }

  /**
   * @return the task, as it is: the cost of the benchmark's own call
   */
  @Benchmark
  public Object baseline() {
    return runnable;
  }

  /**
   * @return what {@code execute(Runnable)} and {@code new Thread(Runnable)} advice hands on
   */
  @Benchmark
  public Runnable wrapRunnable() {
    return Bridge.tasks.wrap(runnable);
  }

  /**
   * @return what {@code submit(Callable)} and {@code new FutureTask(Callable)} advice hands on
   */
  @Benchmark
  public Callable<?> wrapCallable() {
    return Bridge.tasks.wrap(callable);
  }

  /** What {@code ForkJoinTask.fork} and {@code ForkJoinPool} submission advice does. */
  @Benchmark
  public void attach() {
    Bridge.tasks.attach(forkJoinTask);
  }

  /**
   * What advice on {@code ForkJoinTask.doExec} does around every fork/join task, whoever forked it.
   *
   * @return the token, {@code null} here
   */
  @Benchmark
  public Object taskStartingAndFinished() {
    Object token = Bridge.tasks.taskStarting(forkJoinTask);
    Bridge.tasks.taskFinished(token);
    return token;
  }
}
