/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import java.util.function.Consumer;

/**
 * The request a thread is working for, and the runtime cost of the work other threads did for it.
 * It lives on the bootstrap class path because advice on JDK classes (threads, executors) carries
 * it from the thread that received the request to every thread that works for it; the agent's
 * per-request record extends it.
 *
 * <p>At most one request is current on a thread: a server entry point that finds one already
 * current is nested inside it (a wrapping handler, a filter chain) and records nothing.
 *
 * <p>Work reported after the request's record was completed is not added to it (its span is already
 * gone): it goes to {@link #lateWork}.
 */
public abstract class RequestContext {

  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  // Work done for the request by other threads, and its state; guarded by this.
  private long otherCpuNanos;
  private long otherAllocatedBytes;
  private long otherBlockedNanos;
  private long otherWaitedNanos;
  private int tasks;
  private int threadsStarted;

  /** Pieces of work running for the request right now. */
  private int running;

  /** The request's entry point returned while work was still running for it. */
  private boolean ending;

  /** The request's record is complete: work finishing from now on is late. */
  private boolean ended;

  /** Completes the record once the last running work finished; set while ending. */
  private Consumer<long[]> onEnded;

  protected RequestContext() {}

  /**
   * @return the request the calling thread works for, or {@code null}
   */
  public static RequestContext current() {
    return CURRENT.get();
  }

  /** Makes this the calling thread's current request. */
  public final void makeCurrent() {
    CURRENT.set(this);
  }

  /** Leaves the calling thread working for no request. */
  public static void clearCurrent() {
    CURRENT.remove();
  }

  /** A task was handed to an executor on behalf of this request. */
  public final synchronized void taskHandedOff() {
    tasks++;
  }

  /** A thread was started on behalf of this request. */
  public final synchronized void threadStarted() {
    threadsStarted++;
  }

  /** A piece of work (a task, a thread) starts running for this request. */
  public final synchronized void workStarted() {
    running++;
  }

  /**
   * A piece of work that started running for this request finished: adds its cost; a reading the
   * JVM could not make is negative and adds nothing. Work finished after the request's record was
   * completed goes to {@link #lateWork} instead.
   */
  public final void workFinished(
      long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    Consumer<long[]> complete = null;
    long[] totals = null;
    boolean late;
    synchronized (this) {
      running--;
      late = ended;
      if (!late) {
        add(cpuNanos, allocatedBytes, blockedNanos, waitedNanos);
        if (ending && running == 0) {
          ended = true;
          complete = onEnded;
          onEnded = null;
          totals = totals();
        }
      }
    }
    if (late) {
      lateWork(cpuNanos, allocatedBytes);
    } else if (complete != null) {
      complete.accept(totals);
    }
  }

  /**
   * A piece of work still running for this request did part of its work (a virtual thread ran until
   * it parked): adds that part's cost, as {@link #workFinished} does.
   */
  public final void workProgressed(
      long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    boolean late;
    synchronized (this) {
      late = ended;
      if (!late) {
        add(cpuNanos, allocatedBytes, blockedNanos, waitedNanos);
      }
    }
    if (late) {
      lateWork(cpuNanos, allocatedBytes);
    }
  }

  private void add(long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    otherCpuNanos += Math.max(0, cpuNanos);
    otherAllocatedBytes += Math.max(0, allocatedBytes);
    otherBlockedNanos += Math.max(0, blockedNanos);
    otherWaitedNanos += Math.max(0, waitedNanos);
  }

  /**
   * @return whether the request's entry point has returned: new work no longer joins it
   */
  public final synchronized boolean isEnded() {
    return ending || ended;
  }

  /**
   * The request's entry point returned. Work that is still running for it (a task that woke the
   * request's thread just before its own last instructions) is waited for, without holding up any
   * thread: {@code onEnded} receives the totals now if nothing runs, else when the last running
   * work finishes, or at {@link #endNow()}, whichever comes first.
   *
   * @param onEnded receives what other threads did for the request: CPU ns, allocated bytes,
   *     blocked ns, waited ns, tasks handed off, threads started
   * @return whether the record was completed now
   */
  protected final boolean end(Consumer<long[]> onEnded) {
    long[] totals;
    synchronized (this) {
      if (running > 0) {
        ending = true;
        this.onEnded = onEnded;
        return false;
      }
      ended = true;
      totals = totals();
    }
    onEnded.accept(totals);
    return true;
  }

  /** Completes the record with what was counted so far; work still running becomes late. */
  protected final void endNow() {
    Consumer<long[]> complete;
    long[] totals;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      complete = onEnded;
      onEnded = null;
      totals = totals();
    }
    complete.accept(totals);
  }

  private long[] totals() {
    return new long[] {
      otherCpuNanos, otherAllocatedBytes, otherBlockedNanos, otherWaitedNanos, tasks, threadsStarted
    };
  }

  /** Work for this request that finished after it ended. */
  protected abstract void lateWork(long cpuNanos, long allocatedBytes);

  /**
   * A task starts to run for this request on the calling thread: the agent may record a span for
   * it.
   *
   * @return a handle for {@link #taskSpanEnded}, or {@code null} when tasks get no spans
   */
  public Object taskSpanStarting(Object task) {
    return null;
  }

  /**
   * The task whose span {@code handle} is has ended; its cost on its thread, each figure negative
   * where it was not measured (the thread was already counted for the request).
   */
  public void taskSpanEnded(
      Object handle, long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {}
}
