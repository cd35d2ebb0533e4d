package dev.opsagent.smoke.harness;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A sample application ({@code dev.opsagent.smoke.apps}) running in its own JVM, normally with the
 * built agent attached, exactly as a user would run it. Its output is captured for assertions and
 * echoed, prefixed, to the test's output so CI logs show what the application and agent printed.
 *
 * <p>{@link Builder#start()} returns once the application printed its readiness line, {@code READY
 * port=<n> [key=value ...]}, whose values {@link #port()} and {@link #ready(String)} return.
 */
public final class AppJvm implements AutoCloseable {

  private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Ended output means the process is exiting: how long to give it before reporting its state. */
  private static final Duration EXIT_AFTER_OUTPUT_END = Duration.ofSeconds(5);

  private static final Duration PUMP_JOIN_TIMEOUT = Duration.ofSeconds(5);
  private static final String READY = "READY";
  private static final Set<String> JVM_OPTION_VARIABLES =
      Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

  private final String name;
  private final Process process;
  private final ProcessOutput stdout;
  private final ProcessOutput stderr;
  private final Map<String, String> ready;

  /** Takes ownership of {@code process}: if it does not become ready, it is stopped. */
  private AppJvm(String name, Process process, Duration readyTimeout) {
    this.name = name;
    this.process = process;
    String prefix = "[app:" + name + "] ";
    this.stdout = new ProcessOutput(process.getInputStream(), prefix, "app-" + name + "-stdout");
    this.stderr = new ProcessOutput(process.getErrorStream(), prefix, "app-" + name + "-stderr");
    try {
      this.ready =
          parseReady(awaitLine(stdout, AppJvm::isReadyLine, readyTimeout, "READY line on stdout"));
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** A sample application of the smoke-tests module ({@code dev.opsagent.smoke.apps}). */
  public static Builder builder(Jdk jdk, String mainClass) {
    return new Builder(jdk, mainClass, null);
  }

  /**
   * A server application of {@code smoke-tests/servers}, run from that module's classes and its
   * {@code target/app.classpath}, e.g. {@code AppJvm.builder(jdk, Server.TOMCAT9).start()}.
   */
  public static Builder builder(Jdk jdk, Server server) {
    return new Builder(jdk, server.mainClass(), server);
  }

  /** The {@code port} value of the READY line. */
  public int port() {
    return Integer.parseInt(ready("port"));
  }

  /** A value of the READY line, e.g. {@code ready("httpsPort")}. */
  public String ready(String key) {
    String value = ready.get(key);
    if (value == null) {
      throw new AssertionError("READY line of " + name + " has no '" + key + "': " + ready);
    }
    return value;
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
    return awaitLine(
        stdout,
        line -> line.contains(substring),
        timeout,
        "stdout line containing '" + substring + "'");
  }

  /**
   * The first stderr line containing {@code substring}, waiting for it as long as the process may
   * still print it.
   */
  public String awaitStderr(String substring, Duration timeout) {
    return awaitLine(
        stderr,
        line -> line.contains(substring),
        timeout,
        "stderr line containing '" + substring + "'");
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
   * Stops the application as an orchestrator would: SIGTERM first, so shutdown hooks (the agent's
   * final flush) run; SIGKILL if it is still alive 10 s later (see {@link Processes#stop}).
   */
  @Override
  public void close() {
    try {
      Processes.stop(process, STOP_TIMEOUT);
      joinPumps();
    } catch (InterruptedException e) {
      process.toHandle().destroyForcibly();
      throw interrupted(e);
    }
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

  private AssertionError failure(String problem) {
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

  private AssertionError interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new AssertionError("interrupted while waiting for " + name, e);
  }

  private static boolean isReadyLine(String line) {
    return line.equals(READY) || line.startsWith(READY + " ");
  }

  private Map<String, String> parseReady(String line) {
    Map<String, String> values = new LinkedHashMap<>();
    String tokens = line.substring(READY.length()).trim();
    for (String token : tokens.isEmpty() ? new String[0] : tokens.split("\\s+")) {
      int equals = token.indexOf('=');
      if (equals <= 0) {
        throw failure("malformed READY line, expected key=value tokens: " + line);
      }
      values.put(token.substring(0, equals), token.substring(equals + 1));
    }
    return Map.copyOf(values);
  }

  /** Configures and launches an {@link AppJvm}. */
  public static final class Builder {

    private final Jdk jdk;
    private final String mainClass;

    /** The server application to run, or null for one of the smoke-tests module's own. */
    private final Server server;

    private boolean withAgent = true;
    private String agentArgs;
    private final Map<String, String> sysProps = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private Duration readyTimeout = DEFAULT_READY_TIMEOUT;

    private Builder(Jdk jdk, String mainClass, Server server) {
      this.jdk = jdk;
      this.mainClass = mainClass;
      this.server = server;
    }

    /** Options for the agent: {@code -javaagent:opsagent.jar=<agentArgs>}. */
    public Builder agentArgs(String agentArgs) {
      this.agentArgs = agentArgs;
      return this;
    }

    /** Runs the application bare, as the baseline the agent must not change. */
    public Builder withoutAgent() {
      this.withAgent = false;
      return this;
    }

    public Builder sysProp(String key, String value) {
      sysProps.put(key, value);
      return this;
    }

    /**
     * Sets a variable in the child's environment, which otherwise has no OTEL_, OPSAGENT_ or JVM
     * option variables.
     */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    public Builder jvmArg(String jvmArg) {
      jvmArgs.add(jvmArg);
      return this;
    }

    /** Appends program arguments. */
    public Builder args(String... args) {
      this.args.addAll(Arrays.asList(args));
      return this;
    }

    /** How long {@link #start()} waits for the READY line; 60 s unless set. */
    public Builder readyTimeout(Duration readyTimeout) {
      this.readyTimeout = readyTimeout;
      return this;
    }

    /**
     * Launches the application and waits until it printed READY; fails with its output if it did
     * not.
     */
    public AppJvm start() throws IOException {
      if (!withAgent && agentArgs != null) {
        throw new IllegalStateException("agentArgs given together with withoutAgent()");
      }
      List<String> command = new ArrayList<>();
      command.add(jdk.java().toString());
      command.add("-Xmx256m");
      command.add("-Dsun.net.httpserver.nodelay=true");
      if (withAgent) {
        command.add(
            "-javaagent:" + BuildPaths.agentJar() + (agentArgs == null ? "" : "=" + agentArgs));
      }
      sysProps.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(server == null ? appClassPath() : server.classPath());
      command.add(mainClass);
      command.addAll(args);

      ProcessBuilder processBuilder = new ProcessBuilder(command);
      // Hermetic: nothing from the developer's or CI's environment configures the agent or the JVM.
      processBuilder
          .environment()
          .keySet()
          .removeIf(
              variable ->
                  variable.startsWith("OTEL_")
                      || variable.startsWith("OPSAGENT_")
                      || JVM_OPTION_VARIABLES.contains(variable));
      processBuilder.environment().putAll(env);

      String name =
          (server == null ? mainClass.substring(mainClass.lastIndexOf('.') + 1) : server.module())
              + ":"
              + jdk.label();
      System.out.println("[app:" + name + "] $ " + String.join(" ", command));
      return new AppJvm(name, processBuilder.start(), readyTimeout);
    }

    /**
     * The sample applications' classes, then their libraries (runtime scope, no test libraries).
     */
    private static String appClassPath() throws IOException {
      String libraries =
          Files.readString(BuildPaths.existing("opsagent.app.classpath.file")).trim();
      String classes = BuildPaths.existing("opsagent.app.classes").toString();
      return libraries.isEmpty() ? classes : classes + File.pathSeparator + libraries;
    }
  }
}
