/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code AsyncContext.start(Runnable)} implementations: the task is wrapped to run for
 * the current request, as a task given to a JDK executor is.
 */
final class AsyncStartAdvice {

  private AsyncStartAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
    task = Bridge.tasks.wrap(task);
  }
}
