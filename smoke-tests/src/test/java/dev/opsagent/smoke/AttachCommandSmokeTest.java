/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.opsagent.smoke.harness.AgentCli;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar opsagent.jar list|status|attach} against JVMs started without the agent, and
 * each error a user can run into, each told in one message that names the cause and the fix.
 */
class AttachCommandSmokeTest {

  private static final String APP_MAIN = JDK_HTTP_SERVER_APP;

  /** Far below the 10 s that the JDK's attach waits for an answer before it gives up. */
  private static final Duration FAST = Duration.ofSeconds(8);

  /** A runtime image without jdk.attach, linked once and kept across runs in target/. */
  private static final Path RUNTIME_WITHOUT_ATTACH =
      Path.of("target", "runtime-without-jdk-attach");

  /** The user nobody, who owns no JVM here. */
  private static final String NOBODY = "65534";

  private static AppJvm app;

  @BeforeAll
  static void startApplication() throws IOException {
    app = AppJvm.builder(Jdks.current(), APP_MAIN).withoutAgent().start();
  }

  @AfterAll
  static void stopApplication() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void listShowsTheJvmsWithTheirJavaVersionAndLeavesItselfOut() throws IOException {
    try (AgentCli cli = AgentCli.start("list")) {
      assertThat(cli.waitForExit(AWAIT)).as("exit code").isZero();

      List<String> lines = cli.stdout().lines().toList();
      assertThat(lines.get(0)).matches("PID +JAVA +OPSAGENT +MAIN");
      assertThat(lines)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .matches(
                          app.pid()
                              + " +"
                              + System.getProperty("java.version").replace(".", "\\.")
                              + " +- +"
                              + APP_MAIN.replace(".", "\\.")));
      assertThat(lines).noneMatch(line -> line.startsWith(cli.pid() + " "));
      assertThat(cli.stderr()).isEmpty();
    }
  }

  @Test
  void statusOfAJvmWithoutTheAgent() throws IOException {
    try (AgentCli cli = AgentCli.start("status", Long.toString(app.pid()))) {
      assertThat(cli.waitForExit(AWAIT)).as("exit code").isZero();

      assertThat(cli.stdout().lines())
          .containsExactly(
              "pid:       " + app.pid(),
              "main:      " + APP_MAIN,
              "java:      " + System.getProperty("java.version"),
              "opsagent:  not loaded",
              // The jar's manifest lets java -jar ask the JVM for its threads.
              "threads:   none");
      assertThat(app.isAlive()).isTrue();
    }
  }

  @Test
  void aPidWithoutProcess() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    assertThat(ended.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long pid = ended.pid();
    assumeTrue(ProcessHandle.of(pid).isEmpty(), "PID " + pid + " was taken again");

    assertError(
        AgentCli.start("attach", Long.toString(pid)),
        "error: no process with PID "
            + pid
            + " on this host; 'java -jar "
            + AgentCli.jar()
            + " list' shows the JVMs this command can attach to");
  }

  @Test
  void aProcessThatIsNotAJvmIsToldFastAndLeftAlone() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      long started = System.nanoTime();
      assertError(
          AgentCli.start("attach", Long.toString(sleep.pid())),
          "error: process "
              + sleep.pid()
              + " (sleep) is not a JVM (no JVM library in its memory); 'java -jar "
              + AgentCli.jar()
              + " list' shows the JVMs on this host");

      // An attach attempt would have sent it SIGQUIT, which ends sleep, and waited 10 s.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FAST);
      assertThat(sleep.isAlive()).as("sleep still running").isTrue();
    } finally {
      sleep.destroy();
    }
  }

  @Test
  void aJvmOfAnotherUserNeedsThatUser() throws IOException {
    assumeTrue("root".equals(System.getProperty("user.name")), "runs only as root");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv");

    Path java = Jdks.current().java();
    assertError(
        AgentCli.start(
            List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
            java,
            "attach",
            Long.toString(app.pid()),
            "otel.service.name=orders"),
        "error: JVM "
            + app.pid()
            + " ("
            + APP_MAIN
            + ") runs as user root and this command as nobody, but a JVM accepts an attach only"
            + " from its own user (or root); run the command as that user: sudo -u root "
            + java.toRealPath()
            + " -jar "
            + AgentCli.jar()
            + " attach "
            + app.pid()
            + " otel.service.name=orders");
  }

  @Test
  void aJvmStartedWithDisableAttachMechanism() throws IOException {
    try (AppJvm refusing =
        AppJvm.builder(Jdks.current(), APP_MAIN)
            .withoutAgent()
            .jvmArg("-XX:+DisableAttachMechanism")
            .start()) {
      assertError(
          AgentCli.start("attach", Long.toString(refusing.pid())),
          "error: JVM "
              + refusing.pid()
              + " ("
              + APP_MAIN
              + ") was started with -XX:+DisableAttachMechanism, so it accepts no agent while it"
              + " runs; restart it with -javaagent:"
              + AgentCli.jar()
              + ", or without -XX:+DisableAttachMechanism to attach later (cause:"
              + " AttachNotSupportedException: The VM does not support the attach mechanism)");
    }
  }

  @Test
  void aRuntimeWithoutJdkAttach() throws Exception {
    Path runtime = runtimeWithoutAttach();

    assertError(
        AgentCli.start(List.of(), runtime.resolve("bin/java"), "attach", Long.toString(app.pid())),
        "error: this Java runtime ("
            + runtime.toAbsolutePath()
            + ") lacks the module jdk.attach, which attaching needs; run the command with a full"
            + " JDK's java, e.g. the one running JVM "
            + app.pid()
            + ": "
            + Jdks.current().java().toRealPath()
            + " -jar "
            + AgentCli.jar()
            + " attach "
            + app.pid());
  }

  /**
   * A JDK 21+ JVM prints a warning for every agent loaded while it runs: the command explains it
   * before loading. (What the agent does once attached is for the attach/detach tests.)
   */
  @Test
  void attachToJdk25ExplainsTheJvmsWarningAboutDynamicallyLoadedAgents() throws IOException {
    Jdk jdk25 = Jdks.assumeJdk25Present();
    try (AppJvm target = AppJvm.builder(jdk25, APP_MAIN).withoutAgent().start();
        AgentCli cli =
            AgentCli.start(
                "attach",
                Long.toString(target.pid()),
                "otel.traces.exporter=none",
                "otel.metrics.exporter=none")) {
      assertThat(cli.awaitStdout("note: ", AWAIT))
          .matches(
              "note: JVM "
                  + target.pid()
                  + " \\("
                  + APP_MAIN.replace(".", "\\.")
                  + "\\) runs Java 25[.0-9]*, which prints a WARNING on its standard error for"
                  + " every agent loaded while it runs; starting it with"
                  + " -XX:\\+EnableDynamicAgentLoading allows loading agents and silences the"
                  + " warning");
      assertThat(target.awaitStderr("WARNING: A Java agent has been loaded dynamically", AWAIT))
          .contains(AgentCli.jar().toString());
      assertThat(cli.waitForExit(AWAIT)).as("exit code").isZero();
      assertThat(cli.stdout())
          .contains(
              "opsagent 0.1.0 attached to JVM " + target.pid() + " (" + APP_MAIN + "): active");
    }
  }

  /** Runs the command to its end: exit code 1, one line on stderr, nothing on stdout. */
  private static void assertError(AgentCli command, String message) {
    try (AgentCli cli = command) {
      assertThat(cli.waitForExit(AWAIT)).as("exit code").isEqualTo(1);
      assertThat(cli.stderr()).isEqualTo(message + "\n");
      assertThat(cli.stdout()).isEmpty();
    }
  }

  /** {@code jlink --add-modules java.base,java.instrument}, kept in target/ for later runs. */
  private static Path runtimeWithoutAttach() throws Exception {
    if (Files.isExecutable(RUNTIME_WITHOUT_ATTACH.resolve("bin/java"))) {
      return RUNTIME_WITHOUT_ATTACH;
    }
    Path jlink = Jdks.current().home().resolve("bin/jlink");
    assumeTrue(Files.isExecutable(jlink), "no jlink in " + Jdks.current().home());
    Path linking = Files.createTempDirectory(Path.of("target"), "jlink-").resolve("runtime");
    Process process =
        new ProcessBuilder(
                jlink.toString(),
                "--add-modules",
                "java.base,java.instrument",
                "--output",
                linking.toString())
            .inheritIO()
            .start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("jlink within 2 minutes").isTrue();
    assertThat(process.exitValue()).as("jlink exit code").isZero();
    Files.move(linking, RUNTIME_WITHOUT_ATTACH, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(linking.getParent());
    return RUNTIME_WITHOUT_ATTACH;
  }
}
