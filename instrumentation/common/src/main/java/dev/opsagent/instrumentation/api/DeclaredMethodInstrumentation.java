/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
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

  /** Super types the class must have, one of them; none required when empty. */
  private final String[] superTypes;

  private final byte[][] superTypeBytes;

  /**
   * @param methodName the method's name
   * @param descriptors its possible descriptors, e.g. {@code
   *     (Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)V}
   * @param adviceClassName the advice, by name
   */
  public DeclaredMethodInstrumentation(
      String methodName, String[] descriptors, String adviceClassName) {
    this(methodName, descriptors, adviceClassName, new String[0]);
  }

  /**
   * For a descriptor too common to tell the classes apart ({@code start(Runnable)}): the class must
   * also name one of {@code superTypes} among its constants (it implements it directly) and have it
   * among its super types.
   *
   * @param superTypes binary names, e.g. {@code jakarta.servlet.AsyncContext}
   */
  public DeclaredMethodInstrumentation(
      String methodName, String[] descriptors, String adviceClassName, String[] superTypes) {
    this.superTypes = superTypes.clone();
    this.superTypeBytes = new byte[superTypes.length][];
    for (int i = 0; i < superTypes.length; i++) {
      superTypeBytes[i] = superTypes[i].replace('.', '/').getBytes(StandardCharsets.UTF_8);
    }
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
    return containsAny(classFile, descriptorBytes)
        && (superTypeBytes.length == 0 || containsAny(classFile, superTypeBytes));
  }

  private static boolean containsAny(byte[] classFile, byte[][] parts) {
    for (byte[] part : parts) {
      if (contains(classFile, part)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    ElementMatcher.Junction<TypeDescription> declares =
        not(isInterface()).and(declaresMethod(methodMatcher()));
    return superTypes.length == 0 ? declares : declares.and(hasSuperType(namedOneOf(superTypes)));
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
