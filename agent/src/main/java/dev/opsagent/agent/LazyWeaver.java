/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.instrumentation.api.TypeInstrumentation;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The transformer the JVM calls for every class it loads. It turns away, by name alone, every
 * class no instrumentation can match, and hands the few others to the Byte Buddy transformer.
 *
 * <p>Byte Buddy is built on a background thread, off the JVM's start-up path: most applications
 * load none of the instrumented classes during start-up. A matching class that loads before Byte
 * Buddy is ready waits for it (a bounded wait), so no class escapes instrumentation.
 */
final class LazyWeaver implements ClassFileTransformer {

  private static final long MAX_WAIT_SECONDS = 30;

  private final List<TypeInstrumentation> types;
  private final ClassLoader agentLoader;
  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile ClassFileTransformer byteBuddy;

  LazyWeaver(List<TypeInstrumentation> types, ClassLoader agentLoader) {
    this.types = types;
    this.agentLoader = agentLoader;
  }

  /** Byte Buddy is ready: from now on matching classes are woven without waiting. */
  void ready(ClassFileTransformer transformer) {
    byteBuddy = transformer;
    settled.countDown();
  }

  /** Byte Buddy could not be built: matching classes load unchanged. */
  void failed() {
    settled.countDown();
  }

  /** @return whether some instrumentation may change the class of this internal name */
  boolean mayMatch(String internalName) {
    for (int i = 0; i < types.size(); i++) {
      if (types.get(i).mayMatch(internalName)) {
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
      byte[] classfileBuffer)
      throws IllegalClassFormatException {
    if (className == null || loader == agentLoader || !mayMatch(className)) {
      return null;
    }
    ClassFileTransformer transformer = byteBuddy;
    if (transformer == null) {
      try {
        settled.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      transformer = byteBuddy;
      if (transformer == null) {
        return null;
      }
    }
    return transformer.transform(
        module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
  }
}
