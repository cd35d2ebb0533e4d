/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.is;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weaves every enabled instrumentation's advice with one Byte Buddy agent builder: advice only,
 * no class-format changes (so classes already loaded can be retransformed), one ignore matcher,
 * and a listener that reports a class that failed to transform once, without stopping the others.
 */
final class AgentInstaller {

  private static final Logger logger = LoggerFactory.getLogger(AgentInstaller.class);

  private AgentInstaller() {}

  static ResettableClassFileTransformer install(
      Instrumentation instrumentation,
      List<InstrumentationModule> modules,
      ClassLoader agentLoader,
      boolean attached) {
    // Keeps Byte Buddy off sun.misc.Unsafe (JDK 24+ warns on stderr when it is used). The agent
    // needs none of what Unsafe gives Byte Buddy: it only weaves advice, it injects no classes.
    System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
    AgentBuilder builder =
        new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
            .disableClassFormatChanges()
            .with(AgentBuilder.TypeStrategy.Default.DECORATE)
            .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
            .with(new FailureListener())
            // Advice in JDK modules (jdk.httpserver, java.base) calls the bootstrap classes.
            .assureReadEdgeTo(instrumentation, Bridge.class)
            .ignore(IgnoredTypes.matcher())
            .or(any(), is(agentLoader));
    if (attached) {
      // A running application has many classes loaded: retransform them in batches.
      builder =
          ((AgentBuilder.RedefinitionListenable.WithoutBatchStrategy) builder)
              .with(AgentBuilder.RedefinitionStrategy.BatchAllocator.ForFixedSize.ofSize(200));
    }
    for (InstrumentationModule module : modules) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        builder =
            builder
                .type(type.typeMatcher())
                .transform(
                    new AgentBuilder.Transformer.ForAdvice()
                        .include(agentLoader)
                        .advice(type.methodMatcher(), type.adviceClassName()));
      }
    }
    return builder.installOn(instrumentation);
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
