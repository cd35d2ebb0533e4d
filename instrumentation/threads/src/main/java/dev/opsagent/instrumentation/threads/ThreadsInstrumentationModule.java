/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.ExactTypeInstrumentation;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Threads, platform and virtual (JDK 21+): a thread started while a request is current works for
 * that request until it terminates or the request's record completes, and its cost until then (CPU
 * time, allocation, blocked and waited time) is added to it (see {@link RequestThreads}); every
 * start is counted ({@code opsagent.thread.starts}) and live platform threads are reported ({@code
 * jvm.thread.count}). The request is current while a platform thread runs unless its class
 * overrides {@code run()} without calling {@code super.run()}; its cost is counted all the same.
 */
public final class ThreadsInstrumentationModule implements InstrumentationModule {

  private static final String THREAD = "java.lang.Thread";
  private static final String VIRTUAL_THREAD = "java.lang.VirtualThread";
  private static final String THREAD_POOL_EXECUTOR = "java.util.concurrent.ThreadPoolExecutor";
  private static final String ADVICE = ThreadAdvice.class.getName();

  @Override
  public String name() {
    return "threads";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(
        // start() and, JDK 21+, start(ThreadContainer): neither calls the other.
        new ExactTypeInstrumentation(THREAD, () -> named("start"), ADVICE + "$PlatformStart"),
        new ExactTypeInstrumentation(
            THREAD, () -> named("run").and(takesArguments(0)), ADVICE + "$Run"),
        new ExactTypeInstrumentation(
            THREAD, () -> named("exit").and(takesArguments(0)), ADVICE + "$Exit"),
        // start() calls start(ThreadContainer), as do the builders and executors.
        new ExactTypeInstrumentation(
            VIRTUAL_THREAD, () -> named("start").and(takesArguments(1)), ADVICE + "$VirtualStart"),
        new ExactTypeInstrumentation(
            VIRTUAL_THREAD,
            () -> named("run").and(takesArguments(Runnable.class)),
            ADVICE + "$Run"),
        new ExactTypeInstrumentation(
            VIRTUAL_THREAD,
            () -> named("runContinuation").and(takesArguments(0)),
            ADVICE + "$Continuation"),
        new ExactTypeInstrumentation(
            THREAD_POOL_EXECUTOR, () -> named("addWorker"), ADVICE + "$AddWorker"));
  }

  @Override
  public void start(AgentContext context) {
    ThreadTelemetry telemetry = new ThreadTelemetry();
    context.telemetry().whenReady(ready -> telemetry.register(ready.meter()));
    RequestThreads.install(telemetry, context.health(name()));
  }
}
