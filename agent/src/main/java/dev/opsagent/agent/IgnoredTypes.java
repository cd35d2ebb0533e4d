/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

/**
 * The one place that says which classes the agent never instruments, checked first for every class
 * the JVM loads, by name alone. Unlike Byte Buddy's default it does not skip the bootstrap and
 * platform class loaders: the agent instruments JDK classes ({@code com.sun.net.httpserver} lives
 * in the platform loader), which instrumentations match by exact name.
 */
final class IgnoredTypes {

  private static final String[] IGNORED_PREFIXES = {
    // The agent itself, and its relocated libraries.
    "dev/opsagent/",
    // Other agents and their libraries.
    "net/bytebuddy/",
    "io/opentelemetry/javaagent/",
    "co/elastic/apm/agent/",
    "org/glowroot/agent/",
    "com/newrelic/agent/",
    "datadog/trace/",
    "com/datadog/",
    // Reflection accessors and method handle internals the JVM generates.
    "jdk/internal/reflect/",
    "sun/reflect/",
    "java/lang/invoke/",
  };

  private IgnoredTypes() {}

  /**
   * @param internalName a class name as the JVM gives it, e.g. {@code a/b/C$D}
   */
  static boolean isIgnored(String internalName) {
    for (String prefix : IGNORED_PREFIXES) {
      if (internalName.startsWith(prefix)) {
        return true;
      }
    }
    // Lambdas and proxies the JVM spins at run time.
    return internalName.contains("$$Lambda") || internalName.contains("$Proxy");
  }
}
