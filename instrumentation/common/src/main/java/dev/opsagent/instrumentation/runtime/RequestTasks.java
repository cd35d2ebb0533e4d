/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.TaskHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * Carries the request from the thread that hands a task off to the thread that runs it, and adds
 * the cost of that task to the request.
 *
 * <p>A task handed off while a request is current is wrapped; the wrapper makes the request current
 * while the task runs (so the task's own hand-offs follow it too), measures the thread's CPU time,
 * allocation, blocked and waited time, adds them to the request, and leaves the thread as it found
 * it. A {@link FutureTask} is never wrapped itself: its callable is, when it is constructed, so its
 * identity stays what the application sees.
 *
 * <p>A failure of the agent's part never reaches the application: the task runs as it would without
 * the agent, and the failure goes to the executors instrumentation's {@link InstrumentationHealth},
 * which disables the hand-offs if they keep failing.
 */
public final class RequestTasks implements TaskHooks {

  /**
   * The class name every task a virtual thread hands its scheduler starts with: the thread's own
   * continuation, which the thread's accounting measures (see {@code RequestThreads}).
   */
  private static final String VIRTUAL_THREAD_INTERNALS = "java.lang.VirtualThread$";

  /** Tasks that cannot be wrapped, until they run. */
  private final RequestsByWork attached = new RequestsByWork();

  /**
   * Where the failures of the hooks, and of the tasks they wrap, go. Written before {@link
   * Bridge#tasks} publishes the hooks; a static field, so that a wrapped task, made per hand-off,
   * needs no field for it.
   */
  private static InstrumentationHealth health;

  private RequestTasks() {}

  /**
   * Connects the hooks to the advice; idempotent.
   *
   * @param health the executors instrumentation's
   */
  public static synchronized void install(InstrumentationHealth health) {
    if (!(Bridge.tasks instanceof RequestTasks)) {
      RequestTasks.health = health;
      Bridge.tasks = new RequestTasks();
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    RequestContext request = RequestContext.current();
    if (request == null || health.isDisabled()) {
      return task;
    }
    try {
      if (task == null
          || task instanceof RequestRunnable
          || task instanceof FutureTask
          || task.getClass().getName().startsWith(VIRTUAL_THREAD_INTERNALS)) {
        return task;
      }
      request.taskHandedOff();
      return new RequestRunnable(task, request);
    } catch (Throwable t) {
      health.failed(t);
      return task;
    }
  }

  @Override
  public Callable<?> wrap(Callable<?> task) {
    RequestContext request = RequestContext.current();
    if (request == null || health.isDisabled()) {
      return task;
    }
    try {
      if (task == null || task instanceof RequestCallable) {
        return task;
      }
      request.taskHandedOff();
      return new RequestCallable<>(task, request);
    } catch (Throwable t) {
      health.failed(t);
      return task;
    }
  }

  @Override
  public void attach(Object task) {
    RequestContext request = RequestContext.current();
    if (request == null || health.isDisabled()) {
      return;
    }
    try {
      if (task != null && attached.put(task, request)) {
        request.taskHandedOff();
      }
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  @Override
  public Object taskStarting(Object task) {
    try {
      RequestContext request = attached.remove(task);
      return request == null ? null : start(request, task);
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void taskFinished(Object token) {
    if (token instanceof Running) {
      finished((Running) token);
    }
  }

  /**
   * A task handed off for {@code request} starts to run on the calling thread. If that fails, the
   * thread is left as it was and the failure thrown: the task then runs for no request, as it would
   * without the agent.
   *
   * @return its token for {@link #finished}
   */
  private static Running start(RequestContext request, Object task) {
    RequestContext previous = RequestContext.current();
    try {
      // Once per task run: where a test makes the executors' helpers fail.
      health.checkpoint();
      return new Running(request, previous, task);
    } catch (Throwable t) {
      leaveTo(previous);
      throw t;
    }
  }

  /** Leaves the calling thread working for {@code previous} again, or for no request. */
  private static void leaveTo(RequestContext previous) {
    if (previous == null) {
      RequestContext.clearCurrent();
    } else {
      previous.makeCurrent();
    }
  }

  /** The task {@link #start} started has finished; a failure here never replaces its own. */
  private static void finished(Running running) {
    try {
      running.finish();
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /**
   * Work that continues {@code request} on the calling thread without having been handed off (a
   * servlet's asynchronous dispatch) starts: it is measured and counted like a task.
   *
   * @return a token for {@link #runningFinished}
   */
  public static Object runningFor(RequestContext request, Object work) {
    return new Running(request, RequestContext.current(), work);
  }

  /** The work that {@link #runningFor} started has finished. */
  public static void runningFinished(Object token) {
    if (token instanceof Running) {
      ((Running) token).finish();
    }
  }

  /**
   * A task running for a request on the calling thread, between its start and its end. A thread
   * already working for the request (a pool's caller-runs policy, a fork/join task joined by the
   * thread that forked it) counts the task in its own reading: the task's cost is not measured
   * apart, and it only gets its span, if tasks get spans.
   */
  private static final class Running {
    private final RequestContext request;
    private final RequestContext previous;
    private final boolean measured;
    private final Object span;
    private final ThreadCost.Reading start;

    /**
     * Makes the request current on the calling thread and takes the first reading.
     *
     * @param previous the request current on the calling thread, or {@code null}
     */
    Running(RequestContext request, RequestContext previous, Object task) {
      this.request = request;
      this.previous = previous;
      this.measured = previous != request;
      if (measured) {
        request.workStarted();
        request.makeCurrent();
      }
      this.span = request.taskSpanStarting(task);
      this.start = measured ? ThreadCost.read() : null;
    }

    /**
     * Leaves the thread as it was before the task, first: whatever fails after, the thread works
     * for the request no longer. Then adds the task's cost.
     */
    void finish() {
      if (!measured) {
        if (span != null) {
          request.taskSpanEnded(
              span,
              ThreadCost.UNAVAILABLE,
              ThreadCost.UNAVAILABLE,
              ThreadCost.UNAVAILABLE,
              ThreadCost.UNAVAILABLE);
        }
        return;
      }
      leaveTo(previous);
      ThreadCost.Reading spent = start.untilNow();
      request.workFinished(
          spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
      if (span != null) {
        request.taskSpanEnded(
            span, spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
      }
    }
  }

  /** Runs one task for a request and adds its cost. */
  private static <T> T runFor(RequestContext request, Work<T> work, int runsBefore)
      throws Exception {
    // A periodic task keeps running after its request ended: it no longer works for it.
    if (runsBefore > 0 && request.isEnded()) {
      return work.perform();
    }
    // Never null, unlike a token that could be: the JIT then keeps it off the heap.
    Running running;
    try {
      running = start(request, work.task());
    } catch (Throwable t) {
      health.failed(t);
      return work.perform();
    }
    try {
      return work.perform();
    } finally {
      finished(running);
    }
  }

  /** A task body, whatever its kind. */
  private interface Work<T> {
    T perform() throws Exception;

    /** The application's task, which names its span. */
    Object task();
  }

  /** A {@link Runnable} handed off for a request. */
  static final class RequestRunnable implements Runnable, Work<Void> {
    private final Runnable task;
    private final RequestContext request;
    private int runs;

    RequestRunnable(Runnable task, RequestContext request) {
      this.task = task;
      this.request = request;
    }

    @Override
    public void run() {
      try {
        runFor(request, this, runs++);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception impossible) {
        throw new IllegalStateException(impossible);
      }
    }

    @Override
    public Void perform() {
      task.run();
      return null;
    }

    @Override
    public Object task() {
      return task;
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }

  /** A {@link Callable} handed off for a request (the body of a {@code FutureTask}). */
  static final class RequestCallable<V> implements Callable<V>, Work<V> {
    private final Callable<V> task;
    private final RequestContext request;
    private int runs;

    RequestCallable(Callable<V> task, RequestContext request) {
      this.task = task;
      this.request = request;
    }

    @Override
    public V call() throws Exception {
      return runFor(request, this, runs++);
    }

    @Override
    public V perform() throws Exception {
      return task.call();
    }

    @Override
    public Object task() {
      return task;
    }

    @Override
    public String toString() {
      return task.toString();
    }
  }
}
