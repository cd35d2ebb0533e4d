/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import dev.opsagent.instrumentation.api.AgentContext;
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

  @Override
  public String name() {
    return "threads";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Arrays.asList(
        new ThreadInstrumentation.Start(),
        new ThreadInstrumentation.Run(),
        new ThreadInstrumentation.Exit());
  }

  @Override
  public void start(AgentContext context) {
    RequestTasks.install();
  }
}
