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
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.util.Arrays;
import java.util.List;

/**
 * Platform threads: a thread started while a request is current works for that request; its whole
 * cost (CPU time, allocation, blocked and waited time) is added to the request when it terminates,
 * and the request is current while it runs (unless its class overrides {@code run()} without
 * calling {@code super.run()}: its cost is still counted).
 */
public final class ThreadsInstrumentationModule implements InstrumentationModule {

  private static final String THREAD = "java.lang.Thread";

  @Override
  public String name() {
    return "threads";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    String advice = ThreadAdvice.class.getName();
    return Arrays.asList(
        // Every start method: JDK 21+ has one with a thread container too.
        new ExactTypeInstrumentation(THREAD, () -> named("start"), advice + "$StartAdvice"),
        new ExactTypeInstrumentation(
            THREAD, () -> named("run").and(takesArguments(0)), advice + "$RunAdvice"),
        new ExactTypeInstrumentation(
            THREAD, () -> named("exit").and(takesArguments(0)), advice + "$ExitAdvice"));
  }

  @Override
  public void start(AgentContext context) {
    RequestTasks.install();
  }
}
