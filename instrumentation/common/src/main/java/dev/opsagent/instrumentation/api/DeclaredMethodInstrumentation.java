/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;

import java.nio.charset.StandardCharsets;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Advice woven into every class that declares a method of a given name and descriptor, whatever the
 * class is called: the implementations of an interface ({@code Servlet.service}, {@code
 * Filter.doFilter}) in any application or server. Names cannot tell those classes apart, so the
 * first check looks for one of the descriptors among the class file's constants: a class that
 * declares the method must name its descriptor there. The JDK's own classes are never looked into.
 */
public final class DeclaredMethodInstrumentation implements TypeInstrumentation {

  private final String methodName;
  private final String[] descriptors;
  private final byte[][] descriptorBytes;
  private final String adviceClassName;

  /**
   * @param methodName the method's name
   * @param descriptors its possible descriptors, e.g. {@code
   *     (Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V}
   * @param adviceClassName the advice, by name
   */
  public DeclaredMethodInstrumentation(
      String methodName, String[] descriptors, String adviceClassName) {
    this.methodName = methodName;
    this.descriptors = descriptors.clone();
    this.descriptorBytes = new byte[descriptors.length][];
    for (int i = 0; i < descriptors.length; i++) {
      descriptorBytes[i] = descriptors[i].getBytes(StandardCharsets.UTF_8);
    }
    this.adviceClassName = adviceClassName;
  }

  @Override
  public boolean mayMatch(String internalName, byte[] classFile) {
    if (classFile == null
        || internalName.startsWith("java/")
        || internalName.startsWith("jdk/")
        || internalName.startsWith("sun/")) {
      return false;
    }
    for (byte[] descriptor : descriptorBytes) {
      if (contains(classFile, descriptor)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return not(isInterface()).and(declaresMethod(methodMatcher()));
  }

  @Override
  public ElementMatcher<? super MethodDescription> methodMatcher() {
    ElementMatcher.Junction<MethodDescription> anyDescriptor = ElementMatchers.none();
    for (String descriptor : descriptors) {
      anyDescriptor = anyDescriptor.or(hasDescriptor(descriptor));
    }
    return named(methodName).and(not(isAbstract())).and(anyDescriptor);
  }

  @Override
  public String adviceClassName() {
    return adviceClassName;
  }

  /** Whether {@code bytes} contains {@code part}: a plain scan, fast enough for class files. */
  static boolean contains(byte[] bytes, byte[] part) {
    byte first = part[0];
    int last = bytes.length - part.length;
    for (int i = 0; i <= last; i++) {
      if (bytes[i] != first) {
        continue;
      }
      int j = 1;
      while (j < part.length && bytes[i + j] == part[j]) {
        j++;
      }
      if (j == part.length) {
        return true;
      }
    }
    return false;
  }
}
