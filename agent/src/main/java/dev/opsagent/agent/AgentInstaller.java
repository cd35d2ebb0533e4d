/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.is;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves every enabled instrumentation's advice: advice only, no class-format changes (so classes
 * already loaded can be retransformed), one ignore matcher, and a listener that reports a class
 * that failed to transform once, without stopping the others.
 *
 * <p>On the JVM's start-up path only a {@link LazyWeaver} is registered; Byte Buddy itself is
 * built by {@link #prepare}, on a background thread.
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
    this.weaver = new LazyWeaver(types, agentLoader);
  }

  /** Registers the weaver with the JVM: from now on every class loaded passes its name check. */
  static AgentInstaller register(
      Instrumentation instrumentation, List<TypeInstrumentation> types, ClassLoader agentLoader) {
    AgentInstaller installer = new AgentInstaller(instrumentation, types, agentLoader);
    instrumentation.addTransformer(installer.weaver, true);
    return installer;
  }

  /**
   * Builds the Byte Buddy transformer, hands it to the weaver, and retransforms the matching
   * classes that were loaded before the weaver was registered.
   */
  void prepare() {
    try {
      weaver.ready(byteBuddyTransformer());
    } catch (Throwable t) {
      weaver.failed();
      logger.error("could not set up instrumentation; the application runs uninstrumented. Cause: {}", t.toString(), t);
      return;
    }
    List<Class<?>> loadedEarlier = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (weaver.mayMatch(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type)) {
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
  }

  private java.lang.instrument.ClassFileTransformer byteBuddyTransformer() {
    // Keeps Byte Buddy off sun.misc.Unsafe (JDK 24+ warns on stderr when it is used). The agent
    // needs none of what Unsafe gives Byte Buddy: it only weaves advice, it injects no classes.
    System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
    AgentBuilder builder =
        new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            .with(new FailureListener())
            // Advice in JDK modules (jdk.httpserver, java.base) calls the bootstrap classes.
            .assureReadEdgeTo(instrumentation, Bridge.class)
            .ignore(IgnoredTypes.matcher())
            .or(any(), is(agentLoader));
    for (TypeInstrumentation type : types) {
      builder =
          builder
              .type(type.typeMatcher())
              .transform(
                  new AgentBuilder.Transformer.ForAdvice()
                      .include(agentLoader)
                      .advice(type.methodMatcher(), type.adviceClassName()));
    }
    return builder.makeRaw();
  }

  /** Reports each type that could not be transformed, once; the others are not affected. */
  private static final class FailureListener extends AgentBuilder.Listener.Adapter {

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    @Override
    public void onTransformation(
        TypeDescription typeDescription,
        ClassLoader classLoader,
        JavaModule module,
        boolean loaded,
        DynamicType dynamicType) {
      logger.debug("instrumented {}", typeDescription.getName());
    }

    @Override
    public void onError(
        String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
      if (reported.add(typeName)) {
        logger.warn(
            "could not instrument {}: {}; the class runs uninstrumented", typeName, throwable.toString());
        logger.debug("stack trace of the failure to instrument {}", typeName, throwable);
      }
    }
  }
}
