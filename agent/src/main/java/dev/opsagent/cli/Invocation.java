/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * How this command was run: the agent jar it runs from (which {@code attach} loads into the target
 * JVM), the {@code java} that runs it, and its arguments, to write the commands that messages
 * suggest.
 */
final class Invocation {

  private final String agentJar;
  private final CommandLine commandLine;

  Invocation(String agentJar, CommandLine commandLine) {
    this.agentJar = agentJar;
    this.commandLine = commandLine;
  }

  /** This command, run from the jar (or classes folder) that holds this class. */
  static Invocation of(CommandLine commandLine) {
    return new Invocation(ownLocation(), commandLine);
  }

  /** The absolute path of the agent jar, which the target JVM opens. */
  String agentJar() {
    return agentJar;
  }

  /** Whether this command runs from a jar (from a classes folder in tests, it has none to load). */
  boolean runsFromJar() {
    return agentJar.endsWith(".jar");
  }

  CommandLine commandLine() {
    return commandLine;
  }

  /** {@code java -jar /path/opsagent.jar list}: another command, to suggest. */
  String suggest(String... arguments) {
    return command("java", List.of(arguments));
  }

  /** This command again, run by {@code java}, e.g. a JDK's. */
  String again(String java) {
    return command(java, commandLine.arguments());
  }

  /** The {@code java} executable running this command. */
  static String currentJava() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private String command(String java, List<String> arguments) {
    List<String> words = new ArrayList<>(List.of(java, "-jar", agentJar));
    words.addAll(arguments);
    StringBuilder command = new StringBuilder();
    for (String word : words) {
      command.append(command.length() == 0 ? "" : " ").append(quoted(word));
    }
    return command.toString();
  }

  /** A word as a POSIX shell reads it back: quoted when it holds anything but plain characters. */
  static String quoted(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=,@%+-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static String ownLocation() {
    CodeSource source = Invocation.class.getProtectionDomain().getCodeSource();
    try {
      return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize().toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "opsagent.jar";
    }
  }
}
