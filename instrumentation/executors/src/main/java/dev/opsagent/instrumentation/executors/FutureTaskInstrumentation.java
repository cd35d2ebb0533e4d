/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.executors;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The constructors of {@code java.util.concurrent.FutureTask}: the task's body is wrapped when a
 * request is current, and the future itself stays the object the application and the executor see
 * ({@code afterExecute} hooks that look at the future, {@code remove}, {@code cancel} work as
 * before). Periodic scheduled tasks run their body each period: once the request ended, a
 * repetition no longer counts for it.
 */
abstract class FutureTaskInstrumentation implements TypeInstrumentation {

  private static final String TYPE = "java.util.concurrent.FutureTask";
  private static final String INTERNAL_NAME = TYPE.replace('.', '/');

  @Override
  public boolean mayMatch(String internalName) {
    return INTERNAL_NAME.equals(internalName);
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TYPE);
  }

  /** {@code FutureTask(Callable)}. */
  static final class ForCallable extends FutureTaskInstrumentation {

    @Override
    public ElementMatcher<? super MethodDescription> methodMatcher() {
      return isConstructor().and(takesArguments(1)).and(takesArgument(0, Callable.class));
    }

    @Override
    public String adviceClassName() {
      return FutureTaskInstrumentation.class.getName() + "$CallableAdvice";
    }
  }

  /** {@code FutureTask(Runnable, V)}. */
  static final class ForRunnable extends FutureTaskInstrumentation {

    @Override
    public ElementMatcher<? super MethodDescription> methodMatcher() {
      return isConstructor().and(takesArguments(2)).and(takesArgument(0, Runnable.class));
    }

    @Override
    public String adviceClassName() {
      return FutureTaskInstrumentation.class.getName() + "$RunnableAdvice";
    }
  }

  /** Inlined into {@code FutureTask(Callable)}. */
  @SuppressWarnings("unused")
  public static final class CallableAdvice {

    private CallableAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
      task = Bridge.tasks.wrap(task);
    }
  }

  /** Inlined into {@code FutureTask(Runnable, V)}. */
  @SuppressWarnings("unused")
  public static final class RunnableAdvice {

    private RunnableAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
      task = Bridge.tasks.wrap(task);
    }
  }
}
