/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.executors;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ThreadPoolExecutor.execute(Runnable)}: where every task of a thread pool enters it, from
 * {@code execute} directly and from {@code submit}, {@code invokeAll} and {@code invokeAny}, which
 * build a {@code FutureTask} first (that one carries the request itself and is not wrapped).
 */
final class ThreadPoolExecutorInstrumentation implements TypeInstrumentation {

  private static final String TYPE = "java.util.concurrent.ThreadPoolExecutor";
  private static final String INTERNAL_NAME = TYPE.replace('.', '/');

  @Override
  public boolean mayMatch(String internalName) {
    return INTERNAL_NAME.equals(internalName);
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TYPE);
  }

  @Override
  public ElementMatcher<? super MethodDescription> methodMatcher() {
    return named("execute").and(takesArguments(Runnable.class));
  }

  @Override
  public String adviceClassName() {
    return ThreadPoolExecutorInstrumentation.class.getName() + "$ExecuteAdvice";
  }

  /** Inlined into {@code ThreadPoolExecutor.execute}: the task, wrapped if a request is current. */
  @SuppressWarnings("unused")
  public static final class ExecuteAdvice {

    private ExecuteAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
      task = Bridge.tasks.wrap(task);
    }
  }
}
