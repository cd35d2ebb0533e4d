/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the attach API tells about a running JVM before opsagent is loaded into it: its Java
 * version, its main class or jar, its JVM options, and opsagent's published state.
 */
final class TargetJvm {

  /** The first Java version whose JVM warns about every agent loaded while it runs (JEP 451). */
  static final int FIRST_WARNING_FEATURE = 21;

  /** The oldest Java version opsagent runs on. */
  static final int MIN_FEATURE = 11;

  static final String ENABLE_DYNAMIC_AGENT_LOADING = "-XX:+EnableDynamicAgentLoading";
  static final String DISABLE_DYNAMIC_AGENT_LOADING = "-XX:-EnableDynamicAgentLoading";

  private static final Pattern FEATURE = Pattern.compile("^(?:1\\.)?(\\d+)");

  private final long pid;
  private final String javaVersion;
  private final String main;
  private final String jvmOptions;
  private final AgentState agent;

  private TargetJvm(long pid, Properties systemProperties, Properties agentProperties) {
    this.pid = pid;
    this.javaVersion = systemProperties.getProperty("java.version", "?");
    this.main = firstWord(systemProperties.getProperty("sun.java.command", ""));
    this.jvmOptions =
        agentProperties.getProperty("sun.jvm.args", "")
            + " "
            + agentProperties.getProperty("sun.jvm.flags", "");
    this.agent = AgentState.of(systemProperties);
  }

  /**
   * Reads what {@code systemProperties} and {@code agentProperties} (the attach API's {@code
   * getSystemProperties()} and {@code getAgentProperties()}) say about JVM {@code pid}.
   */
  static TargetJvm of(long pid, Properties systemProperties, Properties agentProperties) {
    return new TargetJvm(pid, systemProperties, agentProperties);
  }

  long pid() {
    return pid;
  }

  /** {@code java.version}, e.g. {@code 17.0.15}. */
  String javaVersion() {
    return javaVersion;
  }

  /** The main class or jar, {@code ?} if the JVM does not say. */
  String main() {
    return main;
  }

  AgentState agent() {
    return agent;
  }

  /** {@code JVM 12345 (com.example.Server)}: the JVM in a message. */
  String name() {
    return "JVM " + pid + " (" + main + ")";
  }

  /**
   * The Java feature release, e.g. 8 for {@code 1.8.0_392}, 25 for {@code 25.0.3}; 0 if unknown.
   */
  int feature() {
    return feature(javaVersion);
  }

  /**
   * Whether the JVM prints a warning for an agent loaded while it runs: Java 21 or newer, started
   * without {@code -XX:+EnableDynamicAgentLoading}.
   */
  boolean warnsOfDynamicAgents() {
    return feature() >= FIRST_WARNING_FEATURE && !lastDynamicLoadingOption().equals("+");
  }

  /** Whether the JVM was started with {@code -XX:-EnableDynamicAgentLoading}, so refuses agents. */
  boolean forbidsDynamicAgents() {
    return feature() >= FIRST_WARNING_FEATURE && lastDynamicLoadingOption().equals("-");
  }

  static int feature(String javaVersion) {
    Matcher matcher = FEATURE.matcher(javaVersion);
    return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
  }

  /** {@code +}, {@code -} or empty: the last of the two options among the JVM's, which wins. */
  private String lastDynamicLoadingOption() {
    int enabled = jvmOptions.lastIndexOf(ENABLE_DYNAMIC_AGENT_LOADING);
    int disabled = jvmOptions.lastIndexOf(DISABLE_DYNAMIC_AGENT_LOADING);
    if (enabled < 0 && disabled < 0) {
      return "";
    }
    return enabled > disabled ? "+" : "-";
  }

  /** The first word of a command line: the main class or jar, {@code ?} if there is none. */
  static String firstWord(String command) {
    String trimmed = command.trim();
    int space = trimmed.indexOf(' ');
    String word = space < 0 ? trimmed : trimmed.substring(0, space);
    return word.isEmpty() ? "?" : word;
  }
}
