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
  public void threadStarting(Thread thread) {
    RequestContext request = RequestContext.current();
    if (request == null || thread == Thread.currentThread() || PoolWorkers.isBeingStarted()) {
      return;
    }
    // Thread.start may call another start method (JDK 21+): count the thread once.
    if (threads.putIfAbsent(thread, request) == null) {
      request.threadStarted();
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
      request.addWork(life.cpuNanos, life.allocatedBytes, life.blockedNanos, life.waitedNanos);
      RequestContext.clearCurrent();
    }
  }

  /** Runs one task for a request and adds its cost. */
  private static <T> T runFor(RequestContext request, Work<T> work, int runsBefore)
      throws Exception {
    // A periodic task keeps running after its request ended: it no longer works for it.
    if (runsBefore > 0 && request.isEnded()) {
      return work.perform();
    }
    RequestContext previous = RequestContext.current();
    request.makeCurrent();
    ThreadCost.Reading start = ThreadCost.read();
    try {
      return work.perform();
    } finally {
      ThreadCost.Reading spent = start.until(ThreadCost.read());
      request.addWork(spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
      if (previous == null) {
        RequestContext.clearCurrent();
      } else {
        previous.makeCurrent();
      }
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
