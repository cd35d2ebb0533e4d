/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One of a JDK's own programs ({@code jcmd}, {@code keytool}, {@code java -jar ...}) run as a
 * separate process with the environment a test gives it, as a container's {@code JAVA_TOOL_OPTIONS}
 * reaches every JVM started in it. Wait for it with {@link #waitForExit}.
 */
public final class ToolJvm extends ChildJvm {

  private ToolJvm(String name, Process process) {
    super(name, "tool:" + name, process);
  }

  /**
   * Starts {@code <jdk>/bin/<program> <arguments>} with {@code environment} added to the test's,
   * which is first cleared of what configures the agent or the JVM; its standard input is closed.
   */
  public static ToolJvm start(
      Jdk jdk, Map<String, String> environment, String program, String... arguments)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(jdk.home().resolve("bin").resolve(program).toString());
    command.addAll(Arrays.asList(arguments));
    ProcessBuilder builder = new ProcessBuilder(command);
    removeInheritedConfiguration(builder.environment());
    builder.environment().putAll(environment);
    String name = program + ":" + jdk.label();
    System.out.println("[tool:" + name + "] $ " + String.join(" ", command));
    Process process = builder.start();
    ToolJvm tool = new ToolJvm(name, process);
    try {
      process.getOutputStream().close();
    } catch (IOException | RuntimeException e) {
      tool.close();
      throw e;
    }
    return tool;
  }
}
