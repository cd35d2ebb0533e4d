/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The standalone Tomcat distribution ({@code org.apache.tomcat:tomcat:<version>:zip}, unpacked by
 * the module {@code smoke-tests/servers/tomcat-war} into its {@code target/tomcat}) running as a
 * separate process, started as an administrator would: {@code bin/catalina.sh run} with {@code
 * CATALINA_OPTS} (where the agent goes), in the foreground so that the test owns the process.
 *
 * <p>Each instance has a {@code CATALINA_BASE} of its own in a temporary folder: the distribution's
 * {@code conf/}, with {@code server.xml} changed to listen on {@code 127.0.0.1} and a free port,
 * with no shutdown port, and to look for wars to deploy or undeploy every second (autoDeploy is on,
 * as shipped); and an empty {@code webapps/}. {@link #deploy} copies a war there, {@link #undeploy}
 * deletes it.
 *
 * <pre>{@code
 * try (StandaloneTomcat tomcat = StandaloneTomcat.builder(jdk).agentArgs(args).start()) {
 *   tomcat.deploy(StandaloneTomcat.sampleWar(), "sample"); // serves /sample/hello
 *   ...
 *   tomcat.undeploy("sample"); // /sample/hello answers 404
 * }
 * }</pre>
 */
public final class StandaloneTomcat extends ChildJvm {

  private static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /** What {@code org.apache.catalina.startup.Catalina} logs once the server has started. */
  private static final String STARTED = "Server startup in";

  /** Variables of catalina.sh that would configure Tomcat's JVM behind the test's back. */
  private static final Set<String> CATALINA_SH_VARIABLES = Set.of("JAVA_OPTS", "JRE_HOME");

  private final Path base;
  private final int port;

  /** Takes ownership of {@code process} and {@code base}: if Tomcat does not start, both go. */
  private StandaloneTomcat(
      String name, Path base, int port, Process process, Duration timeout, boolean withAgent) {
    super(name, "tomcat", process);
    this.base = base;
    this.port = port;
    try {
      awaitStderr(line -> line.contains(STARTED), timeout, "'" + STARTED + "' in its log");
      if (withAgent) {
        awaitAgentStarted(timeout);
      }
      expectListening();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  public static Builder builder(Jdk jdk) {
    return new Builder(jdk);
  }

  /**
   * {@code smoke-tests/servers/tomcat-war/target/sample.war}: the sample servlets and filter (see
   * {@link Server}), registered by their {@code ServletContainerInitializer}, no web.xml.
   */
  public static Path sampleWar() {
    return BuildPaths.existing(
        tomcatWarTarget().resolve("sample.war"), "built by smoke-tests/servers/tomcat-war");
  }

  /** The HTTP port, on {@code 127.0.0.1}. */
  public int port() {
    return port;
  }

  /** This instance's {@code CATALINA_BASE}: {@code conf/}, {@code webapps/}, {@code logs/}... */
  public Path base() {
    return base;
  }

  /**
   * Deploys {@code war} as {@code webapps/<name>.war}, so at context path {@code /<name>}, and
   * waits until {@code GET /<name>/hello} answers 200. The war appears in {@code webapps/} at once,
   * complete (moved there), and Tomcat's auto-deployment finds it within a second. The requests
   * that wait are real: before the context exists they answer 404, and the agent sees them.
   */
  public void deploy(Path war, String name) throws IOException {
    Path staged = base.resolve("temp").resolve(name + ".war");
    Files.copy(war, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.move(staged, warFile(name), StandardCopyOption.ATOMIC_MOVE);
    awaitHello(name, status -> status == 200, "deployed");
  }

  /**
   * Undeploys the context {@code /<name>} by deleting {@code webapps/<name>.war}, as an
   * administrator would, and waits until Tomcat has removed the context: {@code GET /<name>/hello}
   * answers 404 and the unpacked folder {@code webapps/<name>} is gone.
   */
  public void undeploy(String name) throws IOException {
    Files.delete(warFile(name));
    awaitHello(name, status -> status == 404, "undeployed");
    Path unpacked = base.resolve("webapps").resolve(name);
    poll(() -> !Files.exists(unpacked), "the folder " + unpacked + " deleted by the undeployment");
  }

  /**
   * Stops Tomcat and whatever it started (SIGTERM, so its shutdown hook and the agent's run;
   * SIGKILL 10 s later if needed), then deletes its {@code CATALINA_BASE}.
   */
  @Override
  public void close() {
    try {
      super.close();
    } finally {
      deleteRecursively(base);
    }
  }

  /**
   * Fails if nothing listens on the port: Tomcat still starts when its connector cannot bind (the
   * free port was taken meanwhile). A bare connection, no request, so nothing for the agent.
   */
  private void expectListening() {
    try {
      new Socket(InetAddress.getLoopbackAddress(), port).close();
    } catch (IOException e) {
      throw failure("started, but nothing listens on 127.0.0.1:" + port + " (" + e + ")");
    }
  }

  private Path warFile(String name) {
    return base.resolve("webapps").resolve(name + ".war");
  }

  private void awaitHello(String name, IntPredicate expected, String state) throws IOException {
    String path = "/" + name + "/hello";
    poll(
        () -> expected.test(Http.get(port, path).statusCode()),
        "/" + name + " " + state + " (GET " + path + ")");
  }

  /** Polls {@code condition} until it holds, failing with Tomcat's output after a minute. */
  private void poll(Condition condition, String expected) throws IOException {
    long deadline = System.nanoTime() + DEPLOY_TIMEOUT.toNanos();
    try {
      while (!condition.holds()) {
        if (!isAlive() || System.nanoTime() - deadline > 0) {
          throw failure("not " + expected + " within " + DEPLOY_TIMEOUT);
        }
        Thread.sleep(POLL_INTERVAL.toMillis());
      }
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  /** A condition that may ask Tomcat. */
  private interface Condition {
    boolean holds() throws IOException, InterruptedException;
  }

  private static Path tomcatWarTarget() {
    return BuildPaths.serversDirectory().resolve("tomcat-war").resolve("target");
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }

  /** Configures and starts a {@link StandaloneTomcat}. */
  public static final class Builder {

    private final Jdk jdk;
    private boolean withAgent = true;
    private String agentArgs;
    private final List<String> catalinaOpts = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration startTimeout = DEFAULT_START_TIMEOUT;

    private Builder(Jdk jdk) {
      this.jdk = jdk;
    }

    /** Options for the agent: {@code -javaagent:opsagent.jar=<agentArgs>} in CATALINA_OPTS. */
    public Builder agentArgs(String agentArgs) {
      this.agentArgs = agentArgs;
      return this;
    }

    /** Runs Tomcat bare, as the baseline the agent must not change. */
    public Builder withoutAgent() {
      this.withAgent = false;
      return this;
    }

    /** Appends a JVM option to CATALINA_OPTS (after the agent's, if any). */
    public Builder catalinaOpt(String option) {
      catalinaOpts.add(option);
      return this;
    }

    /**
     * Sets a variable in Tomcat's environment, which otherwise has no OTEL_, OPSAGENT_, CATALINA_
     * or JVM option variables but those the harness sets.
     */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** How long {@link #start()} waits for Tomcat to have started; 60 s unless set. */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    /**
     * Creates a {@code CATALINA_BASE}, runs {@code catalina.sh run} and waits until Tomcat has
     * started; fails with its output if it does not.
     */
    public StandaloneTomcat start() throws IOException {
      if (!withAgent && agentArgs != null) {
        throw new IllegalStateException("agentArgs given together with withoutAgent()");
      }
      Path home =
          BuildPaths.existing(
              tomcatWarTarget().resolve("tomcat"),
              "the Tomcat distribution, unpacked by smoke-tests/servers/tomcat-war");
      int port = freePort();
      Path base = Files.createTempDirectory("opsagent-catalina-base");
      try {
        createBase(home, base, port);
        List<String> options = new ArrayList<>();
        if (withAgent) {
          options.add(javaagentOption(agentArgs));
        }
        options.addAll(catalinaOpts);

        ProcessBuilder processBuilder =
            new ProcessBuilder("bash", home.resolve("bin/catalina.sh").toString(), "run");
        Map<String, String> environment = processBuilder.environment();
        removeInheritedConfiguration(environment);
        environment
            .keySet()
            .removeIf(
                variable ->
                    variable.startsWith("CATALINA_")
                        || variable.startsWith("JPDA_")
                        || CATALINA_SH_VARIABLES.contains(variable));
        environment.put("JAVA_HOME", jdk.home().toString());
        environment.put("CATALINA_HOME", home.toString());
        environment.put("CATALINA_BASE", base.toString());
        // English log messages: start-up is recognised by one of them.
        environment.put("JAVA_OPTS", "-Xmx256m -Duser.language=en -Duser.country=US");
        // catalina.sh evaluates CATALINA_OPTS as shell words: each option is quoted.
        environment.put(
            "CATALINA_OPTS",
            options.stream().map(Builder::shellQuoted).collect(Collectors.joining(" ")));
        environment.putAll(env);

        System.out.println(
            "[tomcat] $ CATALINA_BASE="
                + base
                + " CATALINA_OPTS="
                + environment.get("CATALINA_OPTS")
                + " JAVA_HOME="
                + jdk.home()
                + " "
                + String.join(" ", processBuilder.command()));
        String name = "tomcat:" + jdk.label();
        return new StandaloneTomcat(
            name, base, port, processBuilder.start(), startTimeout, withAgent);
      } catch (IOException | RuntimeException | Error e) {
        deleteRecursively(base);
        throw e;
      }
    }

    /**
     * The distribution's configuration with the HTTP connector on {@code 127.0.0.1:<port>}, no
     * shutdown port (the process is stopped by a signal), and deployment checks every second.
     */
    private static void createBase(Path home, Path base, int port) throws IOException {
      for (String folder : List.of("conf", "logs", "temp", "webapps", "work")) {
        Files.createDirectories(base.resolve(folder));
      }
      try (Stream<Path> files = Files.list(home.resolve("conf"))) {
        for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
          Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
        }
      }
      Path serverXml = base.resolve("conf/server.xml");
      String xml = Files.readString(serverXml, UTF_8);
      xml =
          replaceOnce(
              xml,
              "<Server port=\"8005\" shutdown=\"SHUTDOWN\">",
              "<Server port=\"-1\" shutdown=\"SHUTDOWN\">");
      xml =
          replaceOnce(
              xml,
              "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
              "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
      xml =
          replaceOnce(
              xml,
              "<Engine name=\"Catalina\" defaultHost=\"localhost\">",
              "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
      Files.writeString(serverXml, xml, UTF_8);
    }

    private static String replaceOnce(String text, String target, String replacement) {
      int at = text.indexOf(target);
      if (at < 0 || text.indexOf(target, at + 1) >= 0) {
        throw new IllegalStateException(
            "conf/server.xml of the Tomcat distribution does not have exactly one " + target);
      }
      return text.replace(target, replacement);
    }

    /** A loopback port that nothing listens on (it was free a moment ago). */
    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }

    private static String shellQuoted(String word) {
      return "'" + word.replace("'", "'\\''") + "'";
    }
  }
}
