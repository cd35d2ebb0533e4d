/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * The request a thread is working for, and the runtime cost of the work other threads did for it.
 * It lives on the bootstrap class path because advice on JDK classes (threads, executors) carries
 * it from the thread that received the request to every thread that works for it; the agent's
 * per-request record extends it.
 *
 * <p>At most one request is current on a thread: a server entry point that finds one already
 * current is nested inside it (a wrapping handler, a filter chain) and records nothing.
 *
 * <p>Work reported after the request ended is not added to it (its span is already gone): it goes
 * to {@link #lateWork}.
 */
public abstract class RequestContext {

  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  /** The thread that received the request. */
  private final Thread receivingThread = Thread.currentThread();

  // Work done for the request by other threads; guarded by this.
  private long otherCpuNanos;
  private long otherAllocatedBytes;
  private long otherBlockedNanos;
  private long otherWaitedNanos;
  private int tasks;
  private int threadsStarted;
  private boolean ended;

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

  /**
   * @return the thread that received the request
   */
  public final Thread receivingThread() {
    return receivingThread;
  }

  /** A task was handed to an executor on behalf of this request. */
  public final synchronized void taskHandedOff() {
    tasks++;
  }

  /** A thread was started on behalf of this request. */
  public final synchronized void threadStarted() {
    threadsStarted++;
  }

  /**
   * Adds the cost of work another thread finished for this request; a reading the JVM could not
   * make is negative and adds nothing. Work finished after the request ended goes to {@link
   * #lateWork} instead.
   */
  public final void addWork(
      long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    synchronized (this) {
      if (!ended) {
        otherCpuNanos += Math.max(0, cpuNanos);
        otherAllocatedBytes += Math.max(0, allocatedBytes);
        otherBlockedNanos += Math.max(0, blockedNanos);
        otherWaitedNanos += Math.max(0, waitedNanos);
        return;
      }
    }
    lateWork(cpuNanos, allocatedBytes);
  }

  /**
   * @return whether the request has ended: work still running for it is late
   */
  public final synchronized boolean isEnded() {
    return ended;
  }

  /**
   * Ends the request: from now on work for it is late.
   *
   * @return what other threads did for it until now: CPU ns, allocated bytes, blocked ns, waited
   *     ns, tasks handed off, threads started
   */
  protected final synchronized long[] end() {
    ended = true;
    return new long[] {
      otherCpuNanos, otherAllocatedBytes, otherBlockedNanos, otherWaitedNanos, tasks, threadsStarted
    };
  }

  /** Work for this request that finished after it ended. */
  protected abstract void lateWork(long cpuNanos, long allocatedBytes);
}
