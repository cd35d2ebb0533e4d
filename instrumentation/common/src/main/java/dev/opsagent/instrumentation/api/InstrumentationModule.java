/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import java.util.List;

/**
 * One instrumented technology. Modules are found through {@code META-INF/services}; each is a
 * folder under {@code instrumentation/} of the same name, which is also the key that switches it
 * off: {@code opsagent.instrumentation.<name>.enabled=false}.
 */
public interface InstrumentationModule {

  /**
   * @return the module's name, e.g. {@code jdk-http-server}
   */
  String name();

  /**
   * @return the types this module weaves advice into
   */
  List<TypeInstrumentation> typeInstrumentations();

  /**
   * Connects the module's helpers to the agent: called once, before its advice is woven, so the
   * first woven call already finds them.
   */
  void start(AgentContext context);
}
