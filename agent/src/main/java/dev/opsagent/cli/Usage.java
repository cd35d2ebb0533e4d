/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import dev.opsagent.cli.CommandLine.Command;

/** The text of {@code java -jar opsagent.jar help}. */
final class Usage {

  private Usage() {}

  /** {@code opsagent 0.1.0}, or {@code (development build)} outside the packaged jar. */
  static String version() {
    String version = Usage.class.getPackage().getImplementationVersion();
    return version == null ? "(development build)" : version;
  }

  static String text() {
    return String.join(
        System.lineSeparator(),
        "opsagent " + version(),
        "Operational-monitoring agent for the JVM: HTTP server spans and per-request",
        "runtime cost, exported over OTLP.",
        "",
        "Usage: add it to the JVM's command line, for example",
        "  java -javaagent:/path/to/opsagent.jar -jar app.jar",
        "  OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318 java -javaagent:/path/to/opsagent.jar ...",
        "  java -javaagent:/path/to/opsagent.jar=otel.service.name=orders,opsagent.log.level=debug ...",
        "",
        "or attach it to a JVM that is already running (run this with a JDK's java, as the",
        "user that runs the JVM, or as root):",
        line(Command.LIST, "the JVMs on this host, with opsagent's state in each"),
        line(Command.ATTACH, "loads opsagent into JVM <pid>, with these settings"),
        line(Command.DETACH, "stops opsagent in JVM <pid>, restoring its classes"),
        line(Command.STATUS, "opsagent's state in JVM <pid>, and its threads"),
        line(Command.HELP, "this text"),
        "",
        "Exit codes: 0 done, or nothing to do; 1 an error, whose message says how to fix it;",
        "2 a command line that does not say what to do.");
  }

  private static String line(Command command, String meaning) {
    int width = 0;
    for (Command each : Command.values()) {
      width = Math.max(width, each.synopsis().length());
    }
    return "  "
        + command.synopsis()
        + " ".repeat(width + 2 - command.synopsis().length())
        + meaning;
  }
}
