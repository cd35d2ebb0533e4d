/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transformer the JVM calls for every class it loads. It turns away, by name alone, the agent's
 * own classes, other agents' and the JVM's generated ones, and every class no instrumentation can
 * match; it hands the few others to the {@link AdviceWeaver}.
 *
 * <p>It is registered only once the advice weaver and the SDK are ready, off the JVM's start-up
 * path: the classes loaded before are found and retransformed then, so none escapes and no class
 * load of the application ever waits for the agent.
 */
final class WeavingTransformer implements ClassFileTransformer {

  private final Instrumentation instrumentation;
  private final List<TypeInstrumentation> types;
  private final ClassLoader agentLoader;
  private final AdviceWeaver weaver;

  /** The module of the bootstrap classes, which woven advice calls. */
  private final Module bootstrapModule;

  /** Set when the agent detaches: from then on no class is woven. */
  private volatile boolean detached;

  /** The internal names of the classes woven, to restore when the agent detaches. */
  private final Set<String> woven = ConcurrentHashMap.newKeySet();

  WeavingTransformer(
      Instrumentation instrumentation,
      List<TypeInstrumentation> types,
      ClassLoader agentLoader,
      AdviceWeaver weaver,
      Module bootstrapModule) {
    this.instrumentation = instrumentation;
    this.types = types;
    this.agentLoader = agentLoader;
    this.weaver = weaver;
    this.bootstrapModule = bootstrapModule;
    // Loads every class the name check uses, before the JVM calls it: loaded on demand, inside a
    // class load of another thread that holds a lock the JDK takes while loading classes (its
    // PerfCounter's), the check deadlocked with a thread loading the same class.
    mayMatch("java/lang/Object", new byte[0]);
  }

  /** The agent detaches: classes loaded from now on are left as they are. */
  void detach() {
    detached = true;
  }

  /**
   * @return whether a class of this internal name was woven
   */
  boolean wove(String internalName) {
    return woven.contains(internalName);
  }

  /**
   * @param classFile the class's byte code, {@code null} if not at hand
   * @return whether some instrumentation may change the class of this internal name
   */
  boolean mayMatch(String internalName, byte[] classFile) {
    if (IgnoredTypes.isIgnored(internalName)) {
      return false;
    }
    for (int i = 0; i < types.size(); i++) {
      if (types.get(i).mayMatch(internalName, classFile)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer) {
    if (className == null
        || detached
        || loader == agentLoader
        || !mayMatch(className, classfileBuffer)) {
      return null;
    }
    byte[] result = weaver.weave(loader, className, classfileBuffer);
    if (result != null) {
      allowCallsToBootstrapClasses(module);
      woven.add(className);
    }
    return result;
  }

  /**
   * A JDK module (jdk.httpserver, java.base) reads only what it declares: add the bootstrap
   * classes.
   */
  private void allowCallsToBootstrapClasses(Module module) {
    if (module != null && module.isNamed() && !module.canRead(bootstrapModule)) {
      instrumentation.redefineModule(
          module,
          Collections.singleton(bootstrapModule),
          Collections.<String, Set<Module>>emptyMap(),
          Collections.<String, Set<Module>>emptyMap(),
          Collections.<Class<?>>emptySet(),
          Collections.<Class<?>, List<Class<?>>>emptyMap());
    }
  }
}
