/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
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
 *
 * <p>A platform thread started for the request works for it until the thread terminates or the
 * record completes, whichever comes first: it does not hold the record open, as running work does.
 * One that terminates first adds its whole cost then ({@link #threadTerminated}); one still alive
 * when the record completes is measured from outside at that moment ({@link
 * ThreadHooks#threadDetached}) and works for the request no longer. Pools other than the JDK's
 * start their workers during the first requests, and a worker lives on to serve every later one.
 */
public abstract class RequestContext {

  /**
   * Each thread's slot, created the first time a request is made current on it. The thread-local
   * holds the slot, never the request: when the agent detaches, {@link #dropAll} empties every
   * slot, and no thread keeps a request (an object of the agent's class loader) for the rest of its
   * life.
   */
  private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();

  /**
   * Every thread's slot, weakly (a slot goes with its thread), in stripes by thread: a server that
   * starts a virtual thread per request registers a slot per request.
   */
  @SuppressWarnings("unchecked")
  private static final Map<Slot, Boolean>[] SLOTS = new Map[16];

  static {
    for (int i = 0; i < SLOTS.length; i++) {
      SLOTS[i] = Collections.synchronizedMap(new WeakHashMap<Slot, Boolean>());
    }
  }

  /** A thread's current request. */
  private static final class Slot {
    RequestContext request;
  }

  // Work done for the request by other threads, and its state; guarded by this.
  private long otherCpuNanos;
  private long otherAllocatedBytes;
  private long otherBlockedNanos;
  private long otherWaitedNanos;
  private int tasks;
  private int threadsStarted;

  /**
   * The platform threads started for the request that neither terminated nor were detached: the
   * first {@link #attachedCount}; {@code null} until a thread is started.
   */
  private Thread[] attached;

  private int attachedCount;

  /** Pieces of work running for the request right now. */
  private int running;

  /** The request's entry point returned while work was still running for it. */
  private boolean ending;

  /**
   * The request's record is complete: work finishing from now on is late. Written under the lock;
   * volatile so that {@link #current()} reads it without the lock.
   */
  private volatile boolean ended;

  /** Completes the record once the last running work finished; set while ending. */
  private Consumer<long[]> onEnded;

  protected RequestContext() {}

  /**
   * @return the request the calling thread works for, or {@code null}; never one whose record is
   *     complete (a pool's worker started for a request still holds it: it works for none now)
   */
  public static RequestContext current() {
    Slot slot = CURRENT.get();
    if (slot == null) {
      return null;
    }
    RequestContext request = slot.request;
    if (request != null && request.ended) {
      slot.request = null;
      return null;
    }
    return request;
  }

  /** Makes this the calling thread's current request. */
  public final void makeCurrent() {
    Slot slot = CURRENT.get();
    if (slot == null) {
      slot = new Slot();
      SLOTS[(int) Thread.currentThread().getId() & (SLOTS.length - 1)].put(slot, Boolean.TRUE);
      CURRENT.set(slot);
    }
    slot.request = this;
  }

  /** Leaves the calling thread working for no request. */
  public static void clearCurrent() {
    Slot slot = CURRENT.get();
    if (slot != null) {
      slot.request = null;
    }
  }

  /**
   * Leaves every thread working for no request: the agent detaches. A thread that a request is
   * current on right now loses it; advice no longer reports to the agent anyway.
   */
  public static void dropAll() {
    for (Map<Slot, Boolean> stripe : SLOTS) {
      synchronized (stripe) {
        for (Slot slot : stripe.keySet()) {
          slot.request = null;
        }
      }
    }
  }

  /** A task was handed to an executor on behalf of this request. */
  public final synchronized void taskHandedOff() {
    tasks++;
  }

  /**
   * {@code thread} was started on behalf of this request. A virtual thread is running work, as a
   * task is: the record waits for it ({@link #workFinished} as it terminates). A platform thread is
   * attached to the request until it terminates ({@link #threadTerminated}) or the record completes
   * ({@link ThreadHooks#threadDetached}), whichever comes first.
   */
  public final synchronized void threadStarted(Thread thread, boolean virtual) {
    threadsStarted++;
    if (virtual) {
      running++;
      return;
    }
    if (attached == null) {
      attached = new Thread[4];
    } else if (attachedCount == attached.length) {
      attached = Arrays.copyOf(attached, attachedCount * 2);
    }
    attached[attachedCount++] = thread;
  }

  /**
   * A platform thread started for this request terminates, having spent that much since it started:
   * adds it, unless the record completed first, which detached the thread and measured it then.
   * Each figure is negative where it could not be read.
   */
  public final synchronized void threadTerminated(
      Thread thread, long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    for (int i = 0; i < attachedCount; i++) {
      if (attached[i] == thread) {
        attached[i] = attached[--attachedCount];
        attached[attachedCount] = null;
        add(cpuNanos, allocatedBytes, blockedNanos, waitedNanos);
        return;
      }
    }
  }

  /** A piece of work (a task, a virtual thread) starts running for this request. */
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
          complete = onEnded;
          onEnded = null;
          totals = complete();
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
   * @return whether the request's record is complete: work done from now on is not its own; a
   *     volatile read
   */
  public final boolean isComplete() {
    return ended;
  }

  /**
   * The request's entry point returned. Work that is still running for it (a task that woke the
   * request's thread just before its own last instructions) is waited for, without holding up any
   * thread: {@code onEnded} receives the totals now if nothing runs, else when the last running
   * work finishes, or at {@link #endNow()}, whichever comes first. Platform threads started for the
   * request are not waited for: those still alive then are read as the record completes.
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
      totals = complete();
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
      complete = onEnded;
      onEnded = null;
      totals = complete();
    }
    complete.accept(totals);
  }

  /**
   * Marks the record complete and detaches the platform threads started for the request that are
   * still alive, adding what each spent until now; guarded by this. A thread terminating meanwhile
   * waits for the lock in {@link #threadTerminated} until the hook forgets it, so it is still alive
   * to be read, and it then finds itself detached: it is counted once.
   *
   * @return the totals {@link #end} hands over
   */
  private long[] complete() {
    ended = true;
    if (attachedCount > 0) {
      ThreadHooks hooks = Bridge.threads;
      long[] cost = new long[4];
      for (int i = 0; i < attachedCount; i++) {
        Arrays.fill(cost, -1);
        hooks.threadDetached(attached[i], cost);
        add(cost[0], cost[1], cost[2], cost[3]);
      }
      attachedCount = 0;
    }
    attached = null;
    return totals();
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
