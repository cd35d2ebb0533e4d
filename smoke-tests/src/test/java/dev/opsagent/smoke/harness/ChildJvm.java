/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A JVM that a test started as a separate process, normally with the built agent attached: an
 * {@link AppJvm} or a {@link StandaloneTomcat}. Its output is captured for assertions and echoed,
 * prefixed, to the test's output so CI logs show what the application and agent printed. Closing it
 * stops it and whatever it started.
 */
public abstract class ChildJvm implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Ended output means the process is exiting: how long to give it before reporting its state. */
  private static final Duration EXIT_AFTER_OUTPUT_END = Duration.ofSeconds(5);

  private static final Duration PUMP_JOIN_TIMEOUT = Duration.ofSeconds(5);

  private static final Set<String> JVM_OPTION_VARIABLES =
      Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private final String name;
  private final Process process;
  private final ProcessOutput stdout;
  private final ProcessOutput stderr;

  /** Takes ownership of {@code process}; its output is echoed prefixed with {@code [prefix] }. */
  ChildJvm(String name, String prefix, Process process) {
    this.name = name;
    this.process = process;
    String echoPrefix = "[" + prefix + "] ";
    this.stdout = new ProcessOutput(process.getInputStream(), echoPrefix, prefix + "-stdout");
    this.stderr = new ProcessOutput(process.getErrorStream(), echoPrefix, prefix + "-stderr");
  }

  public String stdout() {
    return stdout.text();
  }

  public String stderr() {
    return stderr.text();
  }

  public List<String> stderrLines() {
    return stderr.lines();
  }

  /**
   * The first stdout line containing {@code substring}, waiting for it as long as the process may
   * still print it.
   */
  public String awaitStdout(String substring, Duration timeout) {
    return awaitStdout(
        line -> line.contains(substring), timeout, "stdout line containing '" + substring + "'");
  }

  /**
   * The first stderr line containing {@code substring}, waiting for it as long as the process may
   * still print it.
   */
  public String awaitStderr(String substring, Duration timeout) {
    return awaitStderr(
        line -> line.contains(substring), timeout, "stderr line containing '" + substring + "'");
  }

  /**
   * Waits for the process to exit on its own and returns its exit code, with all its output
   * captured.
   */
  public int waitForExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), MILLISECONDS)) {
        throw failure("did not exit within " + timeout);
      }
      joinPumps();
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Stops the process as an orchestrator would: SIGTERM first, so shutdown hooks (the agent's final
   * flush) run; SIGKILL if it is still alive 10 s later (see {@link Processes#stop}).
   */
  @Override
  public void close() {
    stop();
  }

  /**
   * Stops the process as {@link #close()} does.
   *
   * @return how long it took to exit after SIGTERM (10 s or more: it was killed)
   */
  public Duration stop() {
    long start = System.nanoTime();
    try {
      Processes.stop(process, STOP_TIMEOUT);
      Duration exit = Duration.ofNanos(System.nanoTime() - start);
      joinPumps();
      return exit;
    } catch (InterruptedException e) {
      process.toHandle().destroyForcibly();
      throw interrupted(e);
    }
  }

  /**
   * Waits until the agent in this JVM says it started (or why it could not): it records requests
   * from then on, not while it sets itself up in the background after the JVM's start.
   */
  final void awaitAgentStarted(Duration timeout) {
    awaitStderr(
        line ->
            line.startsWith("[opsagent] ")
                && (line.contains(" started in ") || line.contains(" ERROR ")),
        timeout,
        "the agent's start-up line, or its error, on stderr");
  }

  /** The first stdout line matching, or a failure naming what was {@code expected}. */
  final String awaitStdout(Predicate<String> matcher, Duration timeout, String expected) {
    return awaitLine(stdout, matcher, timeout, expected);
  }

  /** The first stderr line matching, or a failure naming what was {@code expected}. */
  final String awaitStderr(Predicate<String> matcher, Duration timeout, String expected) {
    return awaitLine(stderr, matcher, timeout, expected);
  }

  /** A test failure that shows the process's state and everything it printed. */
  final AssertionError failure(String problem) {
    return new AssertionError(
        name
            + " (pid "
            + pid()
            + ", "
            + state()
            + "): "
            + problem
            + "\n--- stdout ---\n"
            + stdout.text()
            + "--- stderr ---\n"
            + stderr.text()
            + "---");
  }

  final AssertionError interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new AssertionError("interrupted while waiting for " + name, e);
  }

  final String name() {
    return name;
  }

  /** {@code -javaagent:<agent/target/opsagent.jar>[=<agentArgs>]}. */
  static String javaagentOption(String agentArgs) {
    return "-javaagent:" + BuildPaths.agentJar() + (agentArgs == null ? "" : "=" + agentArgs);
  }

  /**
   * Removes from a child's {@code environment} what would configure the agent or the JVM behind the
   * test's back: OTEL_ and OPSAGENT_ variables, and the JVM's option variables.
   */
  static void removeInheritedConfiguration(Map<String, String> environment) {
    environment
        .keySet()
        .removeIf(
            variable ->
                variable.startsWith("OTEL_")
                    || variable.startsWith("OPSAGENT_")
                    || JVM_OPTION_VARIABLES.contains(variable));
  }

  private void joinPumps() throws InterruptedException {
    stdout.join(PUMP_JOIN_TIMEOUT);
    stderr.join(PUMP_JOIN_TIMEOUT);
  }

  private String awaitLine(
      ProcessOutput output, Predicate<String> matcher, Duration timeout, String expected) {
    try {
      return output
          .awaitLine(matcher, timeout)
          .orElseThrow(
              () ->
                  failure(
                      "no "
                          + expected
                          + (output.hasEnded()
                              ? " before the output ended"
                              : " within " + timeout)));
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  private String state() {
    if (stdout.hasEnded()) {
      try {
        process.waitFor(EXIT_AFTER_OUTPUT_END.toMillis(), MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return process.isAlive() ? "still running" : "exited with code " + process.exitValue();
  }
}
