package dev.opsagent.smoke.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An application running in its own JVM, normally with the built agent attached, exactly as a user
 * would run it: a sample application of the smoke-tests module ({@code dev.opsagent.smoke.apps}) or
 * a server application of {@code smoke-tests/servers} ({@link Server}).
 *
 * <p>{@link Builder#start()} returns once the application printed its readiness line, {@code READY
 * port=<n> [key=value ...]}, whose values {@link #port()} and {@link #ready(String)} return, and
 * the agent, if attached, its start-up line.
 */
public final class AppJvm extends ChildJvm {

  private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);
  private static final String READY = "READY";
  private final Map<String, String> ready;

  /** Takes ownership of {@code process}: if it does not become ready, it is stopped. */
  private AppJvm(String name, Process process, Duration readyTimeout, boolean withAgent) {
    super(name, "app:" + name, process);
    try {
      this.ready =
          parseReady(awaitStdout(AppJvm::isReadyLine, readyTimeout, "READY line on stdout"));
      if (withAgent) {
        awaitAgentStarted(readyTimeout);
      }
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
      throw new AssertionError("READY line of " + name() + " has no '" + key + "': " + ready);
    }
    return value;
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
        command.add(javaagentOption(agentArgs));
      }
      sysProps.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.addAll(jvmArgs);
      command.add("-cp");
      command.add(server == null ? appClassPath() : server.classPath());
      command.add(mainClass);
      command.addAll(args);

      ProcessBuilder processBuilder = new ProcessBuilder(command);
      // Hermetic: nothing from the developer's or CI's environment configures the agent or the JVM.
      removeInheritedConfiguration(processBuilder.environment());
      processBuilder.environment().putAll(env);

      String name =
          (server == null ? mainClass.substring(mainClass.lastIndexOf('.') + 1) : server.module())
              + ":"
              + jdk.label();
      System.out.println("[app:" + name + "] $ " + String.join(" ", command));
      return new AppJvm(name, processBuilder.start(), readyTimeout, withAgent);
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
