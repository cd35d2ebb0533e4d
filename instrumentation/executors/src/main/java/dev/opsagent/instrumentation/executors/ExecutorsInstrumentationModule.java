/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.executors;

import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.util.Arrays;
import java.util.List;

/**
 * The JDK's executors: a task handed to a {@code ThreadPoolExecutor} (and its subclasses, {@code
 * Executors.newFixedThreadPool} and the like) or built into a {@code FutureTask} (every {@code
 * submit}, {@code invokeAll}, {@code invokeAny} and {@code schedule}) while a request is current
 * runs for that request on the pool's thread.
 */
public final class ExecutorsInstrumentationModule implements InstrumentationModule {

  @Override
  public String name() {
    return "executors";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(
        new ThreadPoolExecutorInstrumentation(),
        new FutureTaskInstrumentation.ForCallable(),
        new FutureTaskInstrumentation.ForRunnable());
  }

  @Override
  public void start(AgentContext context) {
    RequestTasks.install();
  }
}
