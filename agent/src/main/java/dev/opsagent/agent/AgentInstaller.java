/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the enabled instrumentations: on the JVM's start-up path only a {@link LazyWeaver} is
 * registered; {@link #prepare} then builds the advice weaver on a background thread and
 * retransforms the matching classes that were loaded before the weaver was registered.
 */
final class AgentInstaller {

  private static final Logger logger = LoggerFactory.getLogger(AgentInstaller.class);

  private final Instrumentation instrumentation;
  private final List<TypeInstrumentation> types;
  private final ClassLoader agentLoader;
  private final LazyWeaver weaver;

  private AgentInstaller(
      Instrumentation instrumentation, List<TypeInstrumentation> types, ClassLoader agentLoader) {
    this.instrumentation = instrumentation;
    this.types = types;
    this.agentLoader = agentLoader;
    this.weaver = new LazyWeaver(instrumentation, types, agentLoader, Bridge.class.getModule());
  }

  /** Registers the weaver with the JVM: from now on every class loaded passes its name check. */
  static AgentInstaller register(
      Instrumentation instrumentation, List<TypeInstrumentation> types, ClassLoader agentLoader) {
    AgentInstaller installer = new AgentInstaller(instrumentation, types, agentLoader);
    instrumentation.addTransformer(installer.weaver, true);
    return installer;
  }

  /**
   * Builds the advice weaver, hands it to the lazy weaver, and retransforms the matching classes
   * that were loaded before the lazy weaver was registered.
   */
  void prepare() {
    StartupPhases phases = new StartupPhases(System.nanoTime());
    try {
      weaver.ready(new AdviceWeaver(types, agentLoader));
      phases.done("advice weaver");
    } catch (Throwable t) {
      weaver.failed();
      logger.error(
          "could not set up instrumentation; the application runs uninstrumented. Cause: {}",
          t.toString(),
          t);
      return;
    }
    List<Class<?>> loadedEarlier = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (weaver.mayMatch(type.getName().replace('.', '/'), null)
          && instrumentation.isModifiableClass(type)) {
        loadedEarlier.add(type);
      }
    }
    if (!loadedEarlier.isEmpty()) {
      try {
        instrumentation.retransformClasses(loadedEarlier.toArray(new Class<?>[0]));
      } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
        logger.warn("could not instrument classes loaded before the agent: {}", e.toString());
      }
    }
    phases.done("classes loaded earlier retransformed");
    logger.debug("weaver: {}", phases);
  }
}
