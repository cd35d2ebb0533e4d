/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The init image's content (see {@code agent/container/Dockerfile}) in a folder of the test's,
 * where it can be damaged: {@code agent/target}'s {@code opsagent.jar}, {@code opsagent.jar.sha256}
 * and {@code opsagent-init.sh}. {@link #run} runs the script with {@code sh}, as the image's
 * entrypoint does, to completion.
 */
public final class InitImage {

  /** The files of the image, all next to each other, as in the image's {@code /opt/opsagent}. */
  private static final List<String> FILES =
      List.of("opsagent.jar", "opsagent.jar.sha256", "opsagent-init.sh");

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  /** The init image's user, and the usual unprivileged one. */
  private static final String NOBODY = "65534";

  private final Path directory;

  private InitImage(Path directory) {
    this.directory = directory;
  }

  /** Copies the built image's files into {@code directory}, created if need be. */
  public static InitImage copyTo(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path built = BuildPaths.agentJar().getParent();
    for (String file : FILES) {
      Files.copy(
          BuildPaths.existing(built.resolve(file), "written by the agent module's build"),
          directory.resolve(file),
          REPLACE_EXISTING);
    }
    return new InitImage(directory);
  }

  /** The jar that the script copies. */
  public Path jar() {
    return directory.resolve("opsagent.jar");
  }

  /** The first word of {@code opsagent.jar.sha256}: the jar's SHA-256 in hex. */
  public String checksum() throws IOException {
    return Files.readString(directory.resolve("opsagent.jar.sha256")).split("\\s+")[0];
  }

  /**
   * Runs {@code sh opsagent-init.sh <arguments>} with {@code environment} added to the test's,
   * which is first cleared of what configures the agent or the script (OTEL_ and OPSAGENT_
   * variables).
   */
  public Run run(Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    return run(List.of(), environment, arguments);
  }

  /** {@link #run(Map, String...)} with nothing added to the environment. */
  public Run run(String... arguments) throws IOException, InterruptedException {
    return run(Map.of(), arguments);
  }

  /**
   * Runs the script as user and group 65534 (nobody), through {@code setpriv} when the test runs as
   * root (whom no file permission stops); the test is skipped if {@code setpriv} is missing. The
   * image's folder and the target must be reachable for that user.
   */
  public Run runAsNobody(String... arguments) throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      return run(arguments);
    }
    Path setpriv = Path.of("/usr/bin/setpriv");
    Assumptions.assumeTrue(
        Files.isExecutable(setpriv), setpriv + " is needed to run as nobody: skipping");
    return run(
        List.of(setpriv.toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
        Map.of(),
        arguments);
  }

  private Run run(List<String> launcher, Map<String, String> environment, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(launcher);
    command.add("sh");
    command.add(directory.resolve("opsagent-init.sh").toString());
    command.addAll(Arrays.asList(arguments));
    ProcessBuilder builder = new ProcessBuilder(command);
    ChildJvm.removeInheritedConfiguration(builder.environment());
    builder.environment().putAll(environment);
    System.out.println("[init] $ " + String.join(" ", command));
    Process process = builder.start();
    ProcessOutput stdout = new ProcessOutput(process.getInputStream(), "[init] ", "init-stdout");
    ProcessOutput stderr = new ProcessOutput(process.getErrorStream(), "[init] ", "init-stderr");
    try {
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT.toMillis(), MILLISECONDS)) {
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + TIMEOUT
                + ":\n"
                + stderr.text());
      }
    } finally {
      Processes.stop(process, STOP_TIMEOUT);
      stdout.join(STOP_TIMEOUT);
      stderr.join(STOP_TIMEOUT);
    }
    return new Run(process.exitValue(), stdout.text(), stderr.lines());
  }

  /** What one run of the script did: exit code, standard output, standard error's lines. */
  public record Run(int exitCode, String stdout, List<String> stderrLines) {

    @Override
    public String toString() {
      return "exit code "
          + exitCode
          + "\n--- stdout ---\n"
          + stdout
          + "--- stderr ---\n"
          + String.join("\n", stderrLines)
          + "\n---";
    }
  }
}
