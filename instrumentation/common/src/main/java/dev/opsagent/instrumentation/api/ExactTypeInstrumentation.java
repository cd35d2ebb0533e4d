/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static net.bytebuddy.matcher.ElementMatchers.named;

import java.util.function.Supplier;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Advice on methods of one class known by its exact name, such as a JDK class: the cheapest
 * instrumentation to match, by one string comparison per loaded class.
 */
public final class ExactTypeInstrumentation implements TypeInstrumentation {

  private final String typeName;
  private final String internalName;
  private final Supplier<ElementMatcher<? super MethodDescription>> methods;
  private final String adviceClassName;

  /**
   * @param typeName the class's binary name, e.g. {@code java.util.concurrent.ForkJoinTask}
   * @param methods which of its methods (or constructors) get the advice; built when the advice
   *     weaver is, on a background thread (Byte Buddy's matchers load many classes)
   * @param adviceClassName the advice, by name
   */
  public ExactTypeInstrumentation(
      String typeName,
      Supplier<ElementMatcher<? super MethodDescription>> methods,
      String adviceClassName) {
    this.typeName = typeName;
    this.internalName = typeName.replace('.', '/');
    this.methods = methods;
    this.adviceClassName = adviceClassName;
  }

  @Override
  public boolean mayMatch(String internalName, byte[] classFile) {
    return this.internalName.equals(internalName);
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(typeName);
  }

  @Override
  public ElementMatcher<? super MethodDescription> methodMatcher() {
    return methods.get();
  }

  @Override
  public String adviceClassName() {
    return adviceClassName;
  }
}
