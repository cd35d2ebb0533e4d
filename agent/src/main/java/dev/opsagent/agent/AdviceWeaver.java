/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.instrumentation.api.FaultInjection;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassInjector;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.pool.TypePool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inlines advice into a class's byte code with Byte Buddy's core: the class is described from its
 * class file ({@link TypePool}), decorated (its format unchanged: fields, methods and signatures
 * stay as they are, so a loaded class can be retransformed), and each matching instrumentation's
 * advice is woven into its methods. The advice is compiled once, from the agent's class files.
 *
 * <p>Only classes that passed {@link WeavingTransformer}'s name check get here; Byte Buddy's agent
 * builder, with its many hundreds of classes to load, is not needed to filter the rest.
 */
final class AdviceWeaver {

  private static final Logger logger = LoggerFactory.getLogger(AdviceWeaver.class);

  private final ByteBuddy byteBuddy;
  private final List<TypeInstrumentation> types;
  private final List<Advice> advice;
  private final Set<String> reportedFailures = ConcurrentHashMap.newKeySet();

  AdviceWeaver(List<TypeInstrumentation> types, ClassLoader agentLoader) {
    // Keeps Byte Buddy off sun.misc.Unsafe (JDK 24+ warns on stderr when it is used). The agent
    // needs none of what Unsafe gives Byte Buddy: it only weaves advice, it injects no classes.
    System.setProperty(ClassInjector.UsingUnsafe.SAFE_PROPERTY, "true");
    // Advice goes into methods the class declares, so Byte Buddy need not compile the graph of
    // every
    // method it inherits: for Thread or ThreadPoolExecutor that graph was most of the weaving's
    // time and about 20 MB of garbage while the application starts.
    this.byteBuddy =
        new ByteBuddy()
            .with(TypeValidation.DISABLED)
            .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE);
    this.types = types;
    ClassFileLocator agentClassFiles = ClassFileLocator.ForClassLoader.of(agentLoader);
    TypePool agentTypes = TypePool.Default.of(agentClassFiles);
    this.advice = new ArrayList<>(types.size());
    for (TypeInstrumentation type : types) {
      advice.add(Advice.to(agentTypes.describe(type.adviceClassName()).resolve(), agentClassFiles));
    }
  }

  /**
   * @param loader the class's loader, {@code null} for the bootstrap loader
   * @param internalName the class's name as the JVM gives it ({@code a/b/C})
   * @param classFile the class's byte code
   * @return the woven byte code, or {@code null} to leave the class as it is: also when weaving it
   *     failed, which is logged once per class and leaves the other classes woven
   */
  byte[] weave(ClassLoader loader, String internalName, byte[] classFile) {
    String name = internalName.replace('/', '.');
    try {
      FaultInjection.passTransform(name);
      ClassFileLocator classFiles =
          new ClassFileLocator.Compound(
              ClassFileLocator.Simple.of(name, classFile),
              loader == null
                  ? ClassFileLocator.ForClassLoader.ofBootLoader()
                  : ClassFileLocator.ForClassLoader.of(loader));
      // Types the class refers to are described by name until more is asked of them: the eager
      // pool read the class file of every parameter and return type of every method (for Thread,
      // a few hundred), about 3 MB of the start-up's garbage for the six JDK classes woven then.
      TypeDescription type =
          TypePool.Default.WithLazyResolution.of(classFiles).describe(name).resolve();
      DynamicType.Builder<?> builder = null;
      for (int i = 0; i < types.size(); i++) {
        TypeInstrumentation instrumentation = types.get(i);
        if (instrumentation.mayMatch(internalName, classFile)
            && instrumentation.typeMatcher().matches(type)) {
          builder =
              (builder == null ? byteBuddy.decorate(type, classFiles) : builder)
                  .visit(advice.get(i).on(instrumentation.methodMatcher()));
        }
      }
      if (builder == null) {
        return null;
      }
      byte[] woven = builder.make().getBytes();
      logger.debug("instrumented {}", name);
      return woven;
    } catch (Throwable t) {
      if (reportedFailures.add(name)) {
        logger.warn(
            "could not instrument {}: {}; the class runs uninstrumented", name, t.toString());
        logger.debug("stack trace of the failure to instrument {}", name, t);
      }
      return null;
    }
  }
}
