/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the enabled instrumentations, once the advice weaver is built: registers the {@link
 * WeavingTransformer} and retransforms the matching classes loaded before (those the application
 * loaded meanwhile, and at an attach the whole running application). {@link #uninstall} restores
 * every class woven.
 */
final class AgentInstaller {

  private static final Logger logger = LoggerFactory.getLogger(AgentInstaller.class);

  /**
   * Classes retransformed per call: each call stops the application's threads at a safepoint while
   * the JVM swaps the classes in, so a large application is changed in many short pauses.
   */
  private static final int BATCH_SIZE = 50;

  private final Instrumentation instrumentation;
  private final ClassLoader agentLoader;
  private final WeavingTransformer weaver;

  private AgentInstaller(
      Instrumentation instrumentation,
      List<TypeInstrumentation> types,
      ClassLoader agentLoader,
      AdviceWeaver adviceWeaver) {
    this.instrumentation = instrumentation;
    this.agentLoader = agentLoader;
    this.weaver =
        new WeavingTransformer(
            instrumentation, types, agentLoader, adviceWeaver, Bridge.class.getModule());
  }

  /**
   * Registers the weaver with the JVM, then retransforms the matching classes loaded before: a
   * class either loaded before the scan, which finds it, or after the registration, and is woven as
   * it loads.
   *
   * @return the installed weaver, which {@link #uninstall()} removes again
   */
  static AgentInstaller install(
      Instrumentation instrumentation,
      List<TypeInstrumentation> types,
      ClassLoader agentLoader,
      AdviceWeaver adviceWeaver,
      StartupPhases phases) {
    AgentInstaller installer =
        new AgentInstaller(instrumentation, types, agentLoader, adviceWeaver);
    instrumentation.addTransformer(installer.weaver, true);
    installer.retransformLoadedClasses(phases);
    return installer;
  }

  private void retransformLoadedClasses(StartupPhases phases) {
    Class<?>[] loaded = instrumentation.getAllLoadedClasses();
    List<Class<?>> loadedEarlier = new ArrayList<>();
    for (Class<?> type : loaded) {
      if (mayMatch(type)) {
        loadedEarlier.add(type);
      }
    }
    phases.done(loaded.length + " loaded classes looked at");
    int changed = retransform(loadedEarlier, "instrument a class loaded before the agent");
    phases.done(changed + " retransformed");
  }

  /**
   * Whether some instrumentation may change this loaded class. Its name tells for most; for the
   * application's own classes, an instrumentation that looks for a method declared in any class
   * reads the class file, as it does when a class loads.
   */
  private boolean mayMatch(Class<?> type) {
    if (!instrumentation.isModifiableClass(type)) {
      return false;
    }
    String name = type.getName();
    if (name.indexOf('/') >= 0) {
      return false; // A hidden class (a lambda's): it has no class file and cannot be changed.
    }
    String internalName = name.replace('.', '/');
    if (weaver.mayMatch(internalName, null)) {
      return true;
    }
    ClassLoader loader = type.getClassLoader();
    if (loader == null || loader == agentLoader || loader == ClassLoader.getPlatformClassLoader()) {
      return false;
    }
    byte[] classFile = classFile(loader, internalName);
    return classFile != null && weaver.mayMatch(internalName, classFile);
  }

  private static byte[] classFile(ClassLoader loader, String internalName) {
    try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Restores every class woven to its original byte code: the weaver is removed first, so each
   * class is retransformed without it.
   *
   * @return how many classes were restored
   */
  int uninstall() {
    weaver.detach();
    instrumentation.removeTransformer(weaver);
    List<Class<?>> woven = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (weaver.wove(type.getName().replace('.', '/'))
          && instrumentation.isModifiableClass(type)) {
        woven.add(type);
      }
    }
    return retransform(woven, "restore a class");
  }

  /**
   * Retransforms {@code classes} in batches; a batch that fails is retried class by class, so one
   * class that cannot be changed does not hold back the others.
   *
   * @param what what retransforming does, for the warning if a class fails
   * @return how many classes were retransformed
   */
  private int retransform(List<Class<?>> classes, String what) {
    int done = 0;
    for (int from = 0; from < classes.size(); from += BATCH_SIZE) {
      List<Class<?>> batch = classes.subList(from, Math.min(classes.size(), from + BATCH_SIZE));
      try {
        instrumentation.retransformClasses(batch.toArray(new Class<?>[0]));
        done += batch.size();
      } catch (Exception | LinkageError batchFailed) {
        for (Class<?> type : batch) {
          try {
            instrumentation.retransformClasses(type);
            done++;
          } catch (Exception | LinkageError e) {
            logger.warn("could not {} ({}): {}", what, type.getName(), e.toString());
          }
        }
      }
    }
    return done;
  }
}
