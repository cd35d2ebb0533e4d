/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined into {@code java.lang.Thread}: {@code start} on the starting thread, {@code
 * run} as the new thread begins, {@code exit} (called by the JVM on every platform thread as it
 * terminates) as it ends.
 */
final class ThreadAdvice {

  private ThreadAdvice() {}

  /** Inlined into {@code Thread.start}. */
  @SuppressWarnings("unused")
  public static final class StartAdvice {

    private StartAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Thread thread) {
      Bridge.tasks.threadStarting(thread);
    }
  }

  /** Inlined into {@code Thread.run()}. */
  @SuppressWarnings("unused")
  public static final class RunAdvice {

    private RunAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
      Bridge.tasks.threadRunning();
    }
  }

  /** Inlined into {@code Thread.exit()}. */
  @SuppressWarnings("unused")
  public static final class ExitAdvice {

    private ExitAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
      Bridge.tasks.threadExiting();
    }
  }
}
