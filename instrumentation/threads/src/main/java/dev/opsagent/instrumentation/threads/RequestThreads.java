/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.ThreadHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.runtime.RequestsByWork;
import dev.opsagent.instrumentation.runtime.ThreadCost;

/**
 * A thread started while a request is current works for that request until the thread terminates or
 * the request's record completes, whichever comes first: the request is current while the thread
 * runs its task (so its own hand-offs follow it too), and the thread's cost until then is added to
 * the request. Every start is also counted for {@link ThreadTelemetry}.
 *
 * <ul>
 *   <li>A platform thread's counters start at zero. One that terminates first adds its whole cost,
 *       read as it terminates. One still alive when the record completes (a worker that a pool
 *       other than the JDK's starts during a request, and that lives on to serve later ones) is
 *       read from outside, by its id, at that moment, and detached: its later work is no request's,
 *       unless handed to it for one. It does not hold the record open: the reading replaces waiting
 *       for it.
 *   <li>A virtual thread has no CPU clock of its own (the JVM reads -1), and cannot be read from
 *       outside. It runs in slices on carrier threads, between a mount and an unmount; each slice
 *       is measured on its carrier, and added to the request as it ends. Cheap and short-lived by
 *       design, it is running work, as a task is: the record waits for its last slice (a thread
 *       joining it wakes before that slice is measured), within the grace a record gives its work.
 *       A slice still running when the record completes is late work; later ones are no request's.
 *       The time a virtual thread spends parked, off any carrier, is not counted as waiting.
 *   <li>Worker threads that pools start while running a request's task are not counted, nor are the
 *       JDK's service threads it starts when first needed: they outlive the request and serve every
 *       later one.
 * </ul>
 *
 * A failure of the agent's part never reaches the application's thread: it goes to the threads
 * instrumentation's {@link InstrumentationHealth}, which stops following new threads if they keep
 * failing.
 */
public final class RequestThreads implements ThreadHooks {

  /**
   * The class of the JDK's own service threads, which it starts the first time they are needed (the
   * virtual threads' unblocker, say), whatever thread needs them: they serve the whole JVM.
   */
  private static final String JDK_SERVICE_THREAD = "jdk.internal.misc.InnocuousThread";

  /** Threads started for a request, until they terminate or the request's record completes. */
  private final RequestsByWork threads = new RequestsByWork();

  private final ThreadTelemetry telemetry;
  private final InstrumentationHealth health;

  private RequestThreads(ThreadTelemetry telemetry, InstrumentationHealth health) {
    this.telemetry = telemetry;
    this.health = health;
  }

  /**
   * Connects the hooks to the advice.
   *
   * @param health the threads instrumentation's, where the hooks' failures go
   */
  static synchronized void install(ThreadTelemetry telemetry, InstrumentationHealth health) {
    Bridge.threads = new RequestThreads(telemetry, health);
  }

  @Override
  public void threadStarting(Thread thread, boolean virtual) {
    if (health.isDisabled()) {
      return;
    }
    try {
      RequestContext request = RequestContext.current();
      if (request != null
          && thread != Thread.currentThread()
          && PoolWorkers.factoryOf(thread) == null
          && !thread.getClass().getName().equals(JDK_SERVICE_THREAD)) {
        // Once per thread started for a request: where a test makes the threads' helpers fail.
        health.checkpoint();
        if (threads.put(thread, request)) {
          request.threadStarted(thread, virtual);
        }
      }
      telemetry.started(thread, virtual);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  @Override
  public void threadRunning() {
    try {
      RequestContext request = threads.get(Thread.currentThread());
      if (request != null && !request.isEnded()) {
        request.makeCurrent();
      }
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  @Override
  public void threadExiting() {
    try {
      Thread thread = Thread.currentThread();
      RequestContext request = threads.remove(thread);
      if (request != null) {
        RequestContext.clearCurrent();
        ThreadCost.Reading life = ThreadCost.read();
        // Adds nothing if the record completed since: it read this thread then.
        request.threadTerminated(
            thread, life.cpuNanos, life.allocatedBytes, life.blockedNanos, life.waitedNanos);
      }
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /**
   * Reads the thread, then forgets it, in that order: while the thread is attached, its {@link
   * #threadExiting} waits for the request's lock, which the caller holds, so the thread is alive to
   * be read; once forgotten, it may terminate at once.
   */
  @Override
  public void threadDetached(Thread thread, long[] cost) {
    try {
      ThreadCost.Reading life = ThreadCost.read(thread);
      cost[0] = life.cpuNanos;
      cost[1] = life.allocatedBytes;
      cost[2] = life.blockedNanos;
      cost[3] = life.waitedNanos;
    } catch (Throwable t) {
      // Left unread: the request's record must complete whatever happens here.
      health.failed(t);
    } finally {
      threads.remove(thread);
    }
  }

  @Override
  public Object poolAddingWorker(Object pool) {
    try {
      return PoolWorkers.adding(pool);
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void poolWorkerAdded(Object token) {
    try {
      PoolWorkers.added(token);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  @Override
  public Object virtualThreadMounting(Thread virtualThread) {
    try {
      RequestContext request = threads.get(virtualThread);
      if (request == null) {
        return null;
      }
      if (request.isComplete()) {
        // Detached: the request's record completed while the thread was parked.
        threads.remove(virtualThread);
        return null;
      }
      // Read on the carrier, which is still the current thread.
      return new Slice(request, ThreadCost.read());
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void virtualThreadUnmounted(Thread virtualThread, Object token) {
    if (!(token instanceof Slice)) {
      return;
    }
    try {
      Slice slice = (Slice) token;
      ThreadCost.Reading spent = slice.start.until(ThreadCost.read());
      // The slice that ran the thread's task to its end finishes its work for the request.
      if (!virtualThread.isAlive() && threads.remove(virtualThread) != null) {
        slice.request.workFinished(
            spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
      } else {
        slice.request.workProgressed(
            spent.cpuNanos, spent.allocatedBytes, spent.blockedNanos, spent.waitedNanos);
      }
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /** A virtual thread's run on a carrier, from its mount. */
  private static final class Slice {
    final RequestContext request;
    final ThreadCost.Reading start;

    Slice(RequestContext request, ThreadCost.Reading start) {
      this.request = request;
      this.start = start;
    }
  }
}
