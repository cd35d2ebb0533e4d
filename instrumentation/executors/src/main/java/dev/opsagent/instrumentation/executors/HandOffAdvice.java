/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.executors;

import dev.opsagent.bootstrap.Bridge;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined where the JDK's executors take work in and run it; each piece is one call into
 * {@link dev.opsagent.bootstrap.TaskHooks}, which leaves everything as it is when no request is
 * current.
 */
final class HandOffAdvice {

  private HandOffAdvice() {}

  /** The {@code Runnable} first argument, wrapped to run for the current request. */
  @SuppressWarnings("unused")
  public static final class WrapRunnable {

    private WrapRunnable() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
      task = Bridge.tasks.wrap(task);
    }
  }

  /** The {@code Callable} first argument, wrapped to run for the current request. */
  @SuppressWarnings("unused")
  public static final class WrapCallable {

    private WrapCallable() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
      task = Bridge.tasks.wrap(task);
    }
  }

  /** The {@code ForkJoinTask} first argument, attached to the current request. */
  @SuppressWarnings("unused")
  public static final class AttachArgument {

    private AttachArgument() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) Object task) {
      Bridge.tasks.attach(task);
    }
  }

  /** The {@code ForkJoinTask} being forked, attached to the current request. */
  @SuppressWarnings("unused")
  public static final class AttachThis {

    private AttachThis() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object task) {
      Bridge.tasks.attach(task);
    }
  }

  /** {@code ForkJoinTask.doExec()}: the task runs for the request it was attached to, if any. */
  @SuppressWarnings("unused")
  public static final class RunAttached {

    private RunAttached() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Object task) {
      return Bridge.tasks.taskStarting(task);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object token) {
      Bridge.tasks.taskFinished(token);
    }
  }
}
