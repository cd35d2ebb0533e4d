/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined into {@code java.lang.Thread}, {@code java.lang.VirtualThread} (JDK 21+) and
 * {@code ThreadPoolExecutor}; each piece is one call into {@link
 * dev.opsagent.bootstrap.ThreadHooks}.
 */
final class ThreadAdvice {

  private ThreadAdvice() {}

  /** Inlined into {@code Thread.start}. */
  @SuppressWarnings("unused")
  public static final class PlatformStart {

    private PlatformStart() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Thread thread) {
      Bridge.threads.threadStarting(thread, false);
    }
  }

  /** Inlined into {@code VirtualThread.start(ThreadContainer)}, where every start goes. */
  @SuppressWarnings("unused")
  public static final class VirtualStart {

    private VirtualStart() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Thread thread) {
      Bridge.threads.threadStarting(thread, true);
    }
  }

  /**
   * Inlined into {@code Thread.run()}, and into {@code VirtualThread.run(Runnable)}: on the new
   * thread, before its task.
   */
  @SuppressWarnings("unused")
  public static final class Run {

    private Run() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
      Bridge.threads.threadRunning();
    }
  }

  /** Inlined into {@code Thread.exit()}, which the JVM calls as a platform thread terminates. */
  @SuppressWarnings("unused")
  public static final class Exit {

    private Exit() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
      Bridge.threads.threadExiting();
    }
  }

  /**
   * Inlined into {@code VirtualThread.runContinuation()}: on the carrier thread, around the mount,
   * run and unmount of the virtual thread.
   */
  @SuppressWarnings("unused")
  public static final class Continuation {

    private Continuation() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Thread thread) {
      return Bridge.threads.virtualThreadMounting(thread);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Thread thread, @Advice.Enter Object token) {
      Bridge.threads.virtualThreadUnmounted(thread, token);
    }
  }

  /** Inlined into {@code ThreadPoolExecutor.addWorker}. */
  @SuppressWarnings("unused")
  public static final class AddWorker {

    private AddWorker() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Object pool) {
      return Bridge.threads.poolAddingWorker(pool);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object token) {
      Bridge.threads.poolWorkerAdded(token);
    }
  }
}
