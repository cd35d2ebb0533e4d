/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameContains;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The one ignore matcher: types the agent never instruments, checked before any instrumentation's
 * own matcher. Unlike Byte Buddy's default it does not skip the bootstrap and platform class
 * loaders, because the agent instruments JDK classes ({@code com.sun.net.httpserver} lives in the
 * platform loader); instrumentations match those by exact name.
 */
final class IgnoredTypes {

  private IgnoredTypes() {}

  static ElementMatcher.Junction<TypeDescription> matcher() {
    return nameStartsWith("dev.opsagent.")
        .or(nameStartsWith("net.bytebuddy."))
        // Other agents and their shaded libraries.
        .or(nameStartsWith("io.opentelemetry.javaagent."))
        .or(nameStartsWith("co.elastic.apm.agent."))
        .or(nameStartsWith("org.glowroot.agent."))
        .or(nameStartsWith("com.newrelic.agent."))
        .or(nameStartsWith("com.datadog.")
            .or(nameStartsWith("datadog.trace.")))
        // Reflection accessors, lambda forms and proxies the JVM generates.
        .or(nameStartsWith("jdk.internal.reflect."))
        .or(nameStartsWith("sun.reflect."))
        .or(nameStartsWith("java.lang.invoke."))
        .or(nameContains("$$Lambda"))
        .or(nameContains("$Proxy"))
        .or(isSynthetic());
  }
}
