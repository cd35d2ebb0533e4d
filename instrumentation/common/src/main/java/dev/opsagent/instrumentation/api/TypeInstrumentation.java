/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Advice woven into the matching methods of the matching types. */
public interface TypeInstrumentation {

  /**
   * The first, cheapest check, made for every class the JVM loads before Byte Buddy is involved:
   * can this class possibly be one this instrumentation changes?
   *
   * @param internalName the class's name as the JVM gives it, e.g. {@code
   *     com/sun/net/httpserver/Filter$Chain}
   * @param classFile the class's byte code, to look into when the name cannot tell (the
   *     implementations of an interface); {@code null} when it is not at hand (classes loaded
   *     before the agent), and an instrumentation that needs it then answers {@code false}
   */
  boolean mayMatch(String internalName, byte[] classFile);

  /**
   * @return which types to instrument; name checks first, so that the many classes that cannot
   *     match are turned away without reading their hierarchy
   */
  ElementMatcher<TypeDescription> typeMatcher();

  /**
   * @return which methods of a matching type get the advice
   */
  ElementMatcher<? super MethodDescription> methodMatcher();

  /**
   * @return the advice class, by name: the agent's class loader never loads it, Byte Buddy only
   *     reads its byte code and inlines it. It may reference only JDK and bootstrap types.
   */
  String adviceClassName();
}
