/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of the built agent, {@code java -jar opsagent.jar <command>}, run as a separate
 * process exactly as a user runs it, optionally through a launcher such as {@code setpriv} that
 * changes its user. Its output is captured and echoed like an application's.
 */
public final class AgentCli extends ChildJvm {

  /** Attaching waits up to 60 s for the agent to report: well within this. */
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  private AgentCli(String name, Process process) {
    super(name, "cli:" + name, process);
  }

  /** What a command printed (standard output, then standard error) and its exit code. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code java -jar opsagent.jar <command> <arguments>} with {@code jdk} to its end. */
  public static Result run(Jdk jdk, String command, String... arguments) throws IOException {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(Arrays.asList(arguments));
    try (AgentCli cli = start(List.of(), jdk.java(), all.toArray(String[]::new))) {
      int exitCode = cli.waitForExit(RUN_TIMEOUT);
      return new Result(exitCode, cli.stdout() + cli.stderr());
    }
  }

  /** {@code java -jar opsagent.jar <arguments>} with the JDK running the tests. */
  public static AgentCli start(String... arguments) throws IOException {
    return start(List.of(), Jdks.current().java(), arguments);
  }

  /**
   * {@code <launcher...> <java> -jar opsagent.jar <arguments>}, e.g. with a launcher {@code setpriv
   * --reuid=65534 ...} or a {@code java} of a runtime image.
   */
  public static AgentCli start(List<String> launcher, Path java, String... arguments)
      throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(java.toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(Arrays.asList(arguments));
    ProcessBuilder processBuilder = new ProcessBuilder(command);
    removeInheritedConfiguration(processBuilder.environment());
    String name = arguments.length == 0 ? "help" : arguments[0];
    System.out.println("[cli:" + name + "] $ " + String.join(" ", command));
    return new AgentCli(name, processBuilder.start());
  }

  /** The built agent jar, {@code agent/target/opsagent.jar}, which the messages name. */
  public static Path jar() {
    return BuildPaths.agentJar().toAbsolutePath().normalize();
  }
}
