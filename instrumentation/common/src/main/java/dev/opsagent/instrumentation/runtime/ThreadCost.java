/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import dev.opsagent.instrumentation.api.FaultInjection;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * Reads the counters a request's cost is built from, the calling thread's or, by its id, another
 * platform thread's: CPU time, bytes allocated, time blocked and time waiting. Each figure is
 * {@link #UNAVAILABLE} where the JVM cannot tell (a JVM without the counters, contention monitoring
 * off, a thread not alive, or a virtual thread, whose CPU clock reads -1).
 */
public final class ThreadCost {

  /** A reading the JVM could not make. */
  public static final long UNAVAILABLE = -1;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = enableCpuTime();

  /** Whether the CPU time of other threads can be read too. */
  private static final boolean OTHER_THREADS_CPU_TIME = CPU_TIME && otherThreadsCpuTime();

  /**
   * {@code getCurrentThreadAllocatedBytes()} (JDK 14+, ~15 ns) when present, else the by-id form
   * (JDK 11-13, slower); a constant handle the JIT inlines.
   */
  private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();

  /** Test-only: where {@link FaultInjection} may make the calling thread's readings fail. */
  private static final FaultInjection.Point FAULT =
      FaultInjection.point(FaultInjection.CPU_ACCOUNTING);

  /** Blocked and waited times need thread contention monitoring, which the agent may switch on. */
  private static volatile boolean contentionMonitoring;

  private ThreadCost() {}

  /**
   * Switches thread contention monitoring on (so that blocked and waited times can be read) or
   * leaves it as it is.
   *
   * @return whether the agent switched it on: it was off
   */
  public static boolean monitorContention(boolean enable) {
    boolean switchedOn = false;
    try {
      if (enable
          && THREADS.isThreadContentionMonitoringSupported()
          && !THREADS.isThreadContentionMonitoringEnabled()) {
        THREADS.setThreadContentionMonitoringEnabled(true);
        switchedOn = true;
      }
      contentionMonitoring = THREADS.isThreadContentionMonitoringEnabled();
    } catch (UnsupportedOperationException | SecurityException e) {
      contentionMonitoring = false;
    }
    return switchedOn;
  }

  /** Switches thread contention monitoring off again: the agent that switched it on detaches. */
  public static void stopMonitoringContention() {
    contentionMonitoring = false;
    try {
      THREADS.setThreadContentionMonitoringEnabled(false);
    } catch (UnsupportedOperationException | SecurityException e) {
      // It stays on: it only costs the JVM a little bookkeeping.
    }
  }

  /**
   * @return the calling thread's counters now
   */
  public static Reading read() {
    FaultInjection.pass(FAULT);
    long blockedNanos = UNAVAILABLE;
    long waitedNanos = UNAVAILABLE;
    if (contentionMonitoring) {
      ThreadInfo info = THREADS.getThreadInfo(Thread.currentThread().getId(), 0);
      if (info != null && info.getBlockedTime() >= 0) {
        blockedNanos = info.getBlockedTime() * 1_000_000;
        waitedNanos = info.getWaitedTime() * 1_000_000;
      }
    }
    return new Reading(cpuTimeNanos(), allocatedBytes(), blockedNanos, waitedNanos);
  }

  /**
   * Reads {@code thread}'s counters from outside, by its id: slower than {@link #read()}, for a
   * thread that cannot read its own (it is busy elsewhere). A platform thread's counters start at
   * zero when it starts, so this is what it spent since.
   *
   * @return the thread's counters now, each {@link #UNAVAILABLE} where the JVM cannot tell, or if
   *     the thread is not alive
   */
  public static Reading read(Thread thread) {
    long id = thread.getId();
    long cpuNanos = UNAVAILABLE;
    long allocatedBytes = UNAVAILABLE;
    long blockedNanos = UNAVAILABLE;
    long waitedNanos = UNAVAILABLE;
    try {
      if (OTHER_THREADS_CPU_TIME) {
        cpuNanos = THREADS.getThreadCpuTime(id);
      }
      if (ALLOCATED_BYTES != null) {
        allocatedBytes = ((com.sun.management.ThreadMXBean) THREADS).getThreadAllocatedBytes(id);
      }
      if (contentionMonitoring) {
        ThreadInfo info = THREADS.getThreadInfo(id, 0);
        if (info != null && info.getBlockedTime() >= 0) {
          blockedNanos = info.getBlockedTime() * 1_000_000;
          waitedNanos = info.getWaitedTime() * 1_000_000;
        }
      }
    } catch (UnsupportedOperationException | SecurityException e) {
      // Left unavailable.
    }
    return new Reading(cpuNanos, allocatedBytes, blockedNanos, waitedNanos);
  }

  /**
   * The calling thread's counters at one moment. Blocked and waited times come from the JVM in
   * milliseconds.
   */
  public static final class Reading {

    public final long cpuNanos;
    public final long allocatedBytes;
    public final long blockedNanos;
    public final long waitedNanos;

    Reading(long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
      this.cpuNanos = cpuNanos;
      this.allocatedBytes = allocatedBytes;
      this.blockedNanos = blockedNanos;
      this.waitedNanos = waitedNanos;
    }

    /**
     * Reads the calling thread's counters now, as {@link ThreadCost#read()} does, and returns the
     * difference: one object where {@code until(read())} makes two.
     *
     * @return what the calling thread spent since this reading, field by field
     */
    public Reading untilNow() {
      FaultInjection.pass(FAULT);
      long blockedNow = UNAVAILABLE;
      long waitedNow = UNAVAILABLE;
      if (contentionMonitoring) {
        ThreadInfo info = THREADS.getThreadInfo(Thread.currentThread().getId(), 0);
        if (info != null && info.getBlockedTime() >= 0) {
          blockedNow = info.getBlockedTime() * 1_000_000;
          waitedNow = info.getWaitedTime() * 1_000_000;
        }
      }
      return new Reading(
          delta(cpuNanos, cpuTimeNanos()),
          delta(allocatedBytes, ThreadCost.allocatedBytes()),
          delta(blockedNanos, blockedNow),
          delta(waitedNanos, waitedNow));
    }

    /**
     * @return what the thread spent between this reading and {@code later}, field by field
     */
    public Reading until(Reading later) {
      return new Reading(
          delta(cpuNanos, later.cpuNanos),
          delta(allocatedBytes, later.allocatedBytes),
          delta(blockedNanos, later.blockedNanos),
          delta(waitedNanos, later.waitedNanos));
    }
  }

  /**
   * @return the calling thread's CPU time in nanoseconds, or {@link #UNAVAILABLE}
   */
  public static long cpuTimeNanos() {
    return CPU_TIME ? THREADS.getCurrentThreadCpuTime() : UNAVAILABLE;
  }

  /**
   * @return the bytes the calling thread allocated since it started, or {@link #UNAVAILABLE}
   */
  public static long allocatedBytes() {
    if (ALLOCATED_BYTES == null) {
      return UNAVAILABLE;
    }
    try {
      return (long) ALLOCATED_BYTES.invokeExact();
    } catch (Throwable e) {
      return UNAVAILABLE;
    }
  }

  /**
   * @return {@code end - start}, or {@link #UNAVAILABLE} if either reading is
   */
  public static long delta(long start, long end) {
    return start < 0 || end < 0 ? UNAVAILABLE : end - start;
  }

  private static boolean enableCpuTime() {
    try {
      if (!THREADS.isCurrentThreadCpuTimeSupported()) {
        return false;
      }
      if (!THREADS.isThreadCpuTimeEnabled()) {
        THREADS.setThreadCpuTimeEnabled(true);
      }
      return true;
    } catch (UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static boolean otherThreadsCpuTime() {
    try {
      return THREADS.isThreadCpuTimeSupported();
    } catch (UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  private static MethodHandle allocatedBytesHandle() {
    if (!(THREADS instanceof com.sun.management.ThreadMXBean)) {
      return null;
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
    try {
      if (!threads.isThreadAllocatedMemorySupported()) {
        return null;
      }
      if (!threads.isThreadAllocatedMemoryEnabled()) {
        threads.setThreadAllocatedMemoryEnabled(true);
      }
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      MethodHandle handle;
      try {
        handle =
            lookup.findVirtual(
                com.sun.management.ThreadMXBean.class,
                "getCurrentThreadAllocatedBytes",
                MethodType.methodType(long.class));
        return handle.bindTo(threads);
      } catch (NoSuchMethodException beforeJdk14) {
        handle =
            lookup.findVirtual(
                com.sun.management.ThreadMXBean.class,
                "getThreadAllocatedBytes",
                MethodType.methodType(long.class, long.class));
        MethodHandle currentThreadId =
            MethodHandles.filterReturnValue(
                lookup.findStatic(
                    Thread.class, "currentThread", MethodType.methodType(Thread.class)),
                lookup.findVirtual(Thread.class, "getId", MethodType.methodType(long.class)));
        return MethodHandles.collectArguments(handle.bindTo(threads), 0, currentThreadId);
      }
    } catch (ReflectiveOperationException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }
}
