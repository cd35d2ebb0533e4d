/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code java.lang.Thread}: {@code start} on the starting thread, {@code run} as the new thread
 * begins, {@code exit} (called by the JVM on every platform thread as it terminates) as it ends.
 */
abstract class ThreadInstrumentation implements TypeInstrumentation {

  private static final String TYPE = "java.lang.Thread";
  private static final String INTERNAL_NAME = TYPE.replace('.', '/');

  @Override
  public boolean mayMatch(String internalName) {
    return INTERNAL_NAME.equals(internalName);
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TYPE);
  }

  /** Every {@code start} method (JDK 21+ has one with a thread container too). */
  static final class Start extends ThreadInstrumentation {

    @Override
    public ElementMatcher<? super MethodDescription> methodMatcher() {
      return named("start");
    }

    @Override
    public String adviceClassName() {
      return ThreadInstrumentation.class.getName() + "$StartAdvice";
    }
  }

  /** {@code run()}. */
  static final class Run extends ThreadInstrumentation {

    @Override
    public ElementMatcher<? super MethodDescription> methodMatcher() {
      return named("run").and(takesArguments(0));
    }

    @Override
    public String adviceClassName() {
      return ThreadInstrumentation.class.getName() + "$RunAdvice";
    }
  }

  /** {@code exit()}. */
  static final class Exit extends ThreadInstrumentation {

    @Override
    public ElementMatcher<? super MethodDescription> methodMatcher() {
      return named("exit").and(takesArguments(0));
    }

    @Override
    public String adviceClassName() {
      return ThreadInstrumentation.class.getName() + "$ExitAdvice";
    }
  }

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
