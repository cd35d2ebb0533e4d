/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.executors;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.ExactTypeInstrumentation;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinTask;

/**
 * The JDK's executors: work handed off while a request is current runs for that request on the
 * pool's thread.
 *
 * <ul>
 *   <li>{@code ThreadPoolExecutor.execute}: where every task of a thread pool enters it ({@code
 *       Executors.newFixedThreadPool} and the like, and subclasses).
 *   <li>{@code FutureTask}'s constructors: every {@code submit}, {@code invokeAll}, {@code
 *       invokeAny}, {@code schedule} builds one; its body is wrapped, never the future itself, so
 *       {@code afterExecute} hooks, {@code remove} and {@code cancel} see the application's object.
 *   <li>{@code ForkJoinPool}'s {@code execute}, {@code submit} and {@code invoke}, and {@code
 *       ForkJoinTask.fork}: the common pool, parallel streams, {@code CompletableFuture.*Async}. A
 *       fork/join task keeps its identity (joining relies on it): it is attached to the request and
 *       runs for it in {@code ForkJoinTask.doExec}.
 * </ul>
 */
public final class ExecutorsInstrumentationModule implements InstrumentationModule {

  private static final String THREAD_POOL_EXECUTOR = "java.util.concurrent.ThreadPoolExecutor";
  private static final String FUTURE_TASK = "java.util.concurrent.FutureTask";
  private static final String FORK_JOIN_POOL = "java.util.concurrent.ForkJoinPool";
  private static final String FORK_JOIN_TASK = "java.util.concurrent.ForkJoinTask";

  private static final String ADVICE = HandOffAdvice.class.getName();
  private static final String WRAP_RUNNABLE = ADVICE + "$WrapRunnable";
  private static final String WRAP_CALLABLE = ADVICE + "$WrapCallable";
  private static final String ATTACH_ARGUMENT = ADVICE + "$AttachArgument";
  private static final String ATTACH_THIS = ADVICE + "$AttachThis";
  private static final String RUN_ATTACHED = ADVICE + "$RunAttached";

  @Override
  public String name() {
    return "executors";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(
        new ExactTypeInstrumentation(
            THREAD_POOL_EXECUTOR,
            () -> named("execute").and(takesArguments(Runnable.class)),
            WRAP_RUNNABLE),
        new ExactTypeInstrumentation(
            FUTURE_TASK, () -> isConstructor().and(takesArguments(Callable.class)), WRAP_CALLABLE),
        new ExactTypeInstrumentation(
            FUTURE_TASK,
            () -> isConstructor().and(takesArguments(Runnable.class, Object.class)),
            WRAP_RUNNABLE),
        new ExactTypeInstrumentation(
            FORK_JOIN_POOL,
            () -> namedOneOf("execute", "submit").and(takesArgument(0, Runnable.class)),
            WRAP_RUNNABLE),
        new ExactTypeInstrumentation(
            FORK_JOIN_POOL,
            () -> named("submit").and(takesArguments(Callable.class)),
            WRAP_CALLABLE),
        new ExactTypeInstrumentation(
            FORK_JOIN_POOL,
            () -> namedOneOf("execute", "submit", "invoke").and(takesArguments(ForkJoinTask.class)),
            ATTACH_ARGUMENT),
        new ExactTypeInstrumentation(
            FORK_JOIN_TASK, () -> named("fork").and(takesArguments(0)), ATTACH_THIS),
        new ExactTypeInstrumentation(
            FORK_JOIN_TASK, () -> named("doExec").and(takesArguments(0)), RUN_ATTACHED));
  }

  @Override
  public void start(AgentContext context) {
    RequestTasks.install(context.health(name()));
  }
}
