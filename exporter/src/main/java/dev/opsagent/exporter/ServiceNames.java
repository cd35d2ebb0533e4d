/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Derives a service name from how the JVM was started when the user sets none: the jar's base name
 * without version ({@code java -jar orders-2.3.1.jar} gives {@code orders}), else the main class's
 * simple name ({@code com.acme.OrderService} gives {@code OrderService}).
 */
final class ServiceNames {

  static final String UNKNOWN = "unknown_service:java";

  /** A jar path ends at {@code .jar} followed by the end or a space (paths may contain spaces). */
  private static final Pattern JAR_PATH =
      Pattern.compile("^(.*?\\.jar)(\\s|$)", Pattern.CASE_INSENSITIVE);

  /** Build-tool suffixes of executable jars: {@code -jar-with-dependencies}, {@code -all}, ... */
  private static final Pattern PACKAGING_SUFFIX =
      Pattern.compile(
          "[-_](jar-with-dependencies|all|shaded|uber|fat|standalone|exec|boot)$",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern VERSION_SUFFIX =
      Pattern.compile("[-_]v?\\d+(\\.\\d+)*([-.][A-Za-z0-9.]+)?$");

  private ServiceNames() {}

  /**
   * @param javaCommand the value of the {@code sun.java.command} system property: the main class or
   *     jar, then the arguments; may be {@code null}
   */
  static String fromCommand(String javaCommand) {
    if (javaCommand == null || javaCommand.isBlank()) {
      return UNKNOWN;
    }
    String command = javaCommand.trim();
    Matcher jar = JAR_PATH.matcher(command);
    if (jar.find()) {
      String path = jar.group(1);
      String file = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
      String base = file.substring(0, file.length() - ".jar".length());
      String withoutPackaging = PACKAGING_SUFFIX.matcher(base).replaceFirst("");
      String withoutVersion = VERSION_SUFFIX.matcher(withoutPackaging).replaceFirst("");
      return withoutVersion.isEmpty() ? base : withoutVersion;
    }
    String first = command.split("\\s+", 2)[0];
    String simple = first.substring(first.lastIndexOf('.') + 1);
    return simple.isEmpty() ? UNKNOWN : simple;
  }
}
