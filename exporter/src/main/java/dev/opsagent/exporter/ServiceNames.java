/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.util.regex.Pattern;

/**
 * Derives a service name from how the JVM was started when the user sets none: the jar's base
 * name without version ({@code java -jar orders-2.3.1.jar} gives {@code orders}), else the main
 * class's simple name ({@code com.acme.OrderService} gives {@code OrderService}).
 */
final class ServiceNames {

  private static final Pattern VERSION_SUFFIX = Pattern.compile("[-_]v?\\d+(\\.\\d+)*([-.][A-Za-z0-9.]+)?$");
  static final String UNKNOWN = "unknown_service:java";

  private ServiceNames() {}

  /**
   * @param javaCommand the value of the {@code sun.java.command} system property: the main class
   *     or jar, then the arguments; may be {@code null}
   */
  static String fromCommand(String javaCommand) {
    if (javaCommand == null || javaCommand.isBlank()) {
      return UNKNOWN;
    }
    String first = javaCommand.trim().split("\\s+", 2)[0];
    if (first.endsWith(".jar")) {
      String file = first.substring(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1);
      String base = file.substring(0, file.length() - ".jar".length());
      String withoutVersion = VERSION_SUFFIX.matcher(base).replaceFirst("");
      return withoutVersion.isEmpty() ? base : withoutVersion;
    }
    String simple = first.substring(first.lastIndexOf('.') + 1);
    return simple.isEmpty() ? UNKNOWN : simple;
  }
}
