/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.TaskHooks;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * Carries the request from the thread that hands work off to the thread that does it, and adds the
 * cost of that work to the request.
 *
 * <ul>
 *   <li>Tasks: a task handed off while a request is current is wrapped; the wrapper makes the
 *       request current while the task runs (so the task's own hand-offs follow it too), measures
 *       the thread's CPU time, allocation, blocked and waited time, adds them to the request, and
 *       leaves the thread as it found it. A {@link FutureTask} is never wrapped itself: its
 *       callable is, when it is constructed, so its identity stays what the application sees.
 *   <li>Threads: a thread started while a request is current works for it: the request is made
 *       current when the thread runs, and the thread's whole cost is added when it terminates.
 *       Worker threads that pools start while running a request's task are not counted: they
 *       outlive it and serve every later task.
 * </ul>
 */
public final class RequestTasks implements TaskHooks {

  /** Tasks that cannot be wrapped, until they run. */
  private final AttachedTasks attached = new AttachedTasks();

  /** Threads started for a request, until they terminate. Weak: a thread never run is forgotten. */
  private final Map<Thread, RequestContext> threads =
      Collections.synchronizedMap(new WeakHashMap<>());

  private RequestTasks() {}

  /** Connects the hooks to the advice; idempotent, as several instrumentations need them. */
  public static synchronized void install() {
    if (!(Bridge.tasks instanceof RequestTasks)) {
      Bridge.tasks = new RequestTasks();
    }
  }

  @Override
  public Runnable wrap(Runnable task) {
    RequestContext request = RequestContext.current();
    if (request == null
        || task == null
        || task instanceof RequestRunnable
        || task instanceof FutureTask) {
      return task;
    }
    request.taskHandedOff();
    return new RequestRunnable(task, request);
  }

  @Override
  public Callable<?> wrap(Callable<?> task) {
    RequestContext request = RequestContext.current();
    if (request == null || task == null || task instanceof RequestCallable) {
      return task;
    }
    request.taskHandedOff();
    return new RequestCallable<>(task, request);
  }

  @Override
  public void attach(Object task) {
    RequestContext request = RequestContext.current();
    if (request != null && task != null && attached.put(task, request)) {
      request.taskHandedOff();
    }
  }

  @Override
  public Object taskStarting(Object task) {
    RequestContext request = attached.remove(task);
    if (request == null) {
      return null;
    }
    RequestContext previous = RequestContext.current();
    if (previous == request) {
      // Joined by a thread already working for the request: counted in its own reading.
      return null;
    }
    return new Running(request, previous);
  }

  @Override
  public void taskFinished(Object token) {
    if (token instanceof Running) {
      ((Running) token).finish();
    }
  }

  @Override
  public void threadStarting(Thread thread) {
    RequestContext request = RequestContext.current();
    if (request == null || thread == Thread.currentThread() || PoolWorkers.isBeingStarted()) {
      return;
    }
    // Thread.start may call another start method (JDK 21+): count the thread once.
    if (threads.putIfAbsent(thread, request) == null) {
      request.threadStarted();
      request.workStarted();
    }
  }

  @Override
  public void threadRunning() {
    RequestContext request = threads.get(Thread.currentThread());
    if (request != null && !request.isEnded()) {
      request.makeCurrent();
    }
  }

  @Override
  public void threadExiting() {
    RequestContext request = threads.remove(Thread.currentThread());
    if (request != null) {
      // The thread's counters started at zero when it started: all of it was for the request.
      ThreadCost.Reading life = ThreadCost.read();
      RequestContext.clearCurrent();
      request.workFinished(life.cpuNanos, life.allocatedBytes, life.blockedNanos, life.waitedNanos);
    }
  }

  /** A task running for a request on the calling thread, between its start and its end. */
  private static final class Running {
    private final RequestContext request;
    private final RequestContext previous;
    private final ThreadCost.Reading start;

    /** Makes the request current on the calling thread and takes the first reading. */
    Running(RequestContext request, RequestContext previous) {
      this.request = request;
      this.previous = previous;
      request.workStarted();
      request.makeCurrent();
      this.start = ThreadCost.read();
    }

    /** Adds the task's cost and leaves the thread as it was before the task. */
    void finish() {
      ThreadCost.Reading spent = start.until(ThreadCost.read());
      if (previous == null) {
        RequestContext.clearCurrent();
      } else {
        previous.makeCurrent();
      }
      request.workFinished(
          spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
    }
  }

  /** Runs one task for a request and adds its cost. */
  private static <T> T runFor(RequestContext request, Work<T> work, int runsBefore)
      throws Exception {
    RequestContext previous = RequestContext.current();
    // A periodic task keeps running after its request ended: it no longer works for it. A task
    // run by a thread already working for the request (a pool's caller-runs policy) is counted in
    // that thread's own reading.
    if ((runsBefore > 0 && request.isEnded()) || previous == request) {
      return work.perform();
    }
    Running running = new Running(request, previous);
    try {
      return work.perform();
    } finally {
      running.finish();
    }
  }

  /** A task body, whatever its kind. */
  private interface Work<T> {
    T perform() throws Exception;
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
    public String toString() {
      return task.toString();
    }
  }
}
