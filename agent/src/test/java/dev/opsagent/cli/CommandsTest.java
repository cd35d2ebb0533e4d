/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The commands against a JVM that plays the agent's side of the protocol: state in system
 * properties, {@code attach\n...} and {@code detach} as the options of {@code loadAgent}.
 */
class CommandsTest {

  private static final long PID = 4242;
  private static final String JAR = "/opt/opsagent/opsagent.jar";

  private final FakeJvm jvm = new FakeJvm();
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final Commands commands =
      new Commands(
          new JvmConnector() {
            @Override
            public List<ListedJvm> list() {
              return List.of();
            }

            @Override
            public JvmConnection attach(long pid) {
              return jvm;
            }
          },
          pid -> "JVM " + pid + " (com.example.Server)",
          new Invocation(JAR, null),
          new PrintStream(output, true, UTF_8),
          new Commands.Timing(
              Duration.ofMillis(1), Duration.ofMillis(300), Duration.ofMillis(600)));

  @Test
  void attachLoadsTheAgentWithOneSettingALineAndWaitsUntilItIsActive() throws Exception {
    jvm.onLoad =
        (options, properties) -> {
          publish(properties, "starting", "2026-11-22T14:00:00Z", "");
          jvm.afterReads(
              3,
              () ->
                  publish(
                      properties,
                      "active",
                      "2026-11-22T14:00:01Z",
                      "opsagent 0.1.0 attached in 812 ms: traces to otlp"));
        };

    int exitCode = commands.attach(PID, List.of("otel.service.name=orders", "x=a,b"));

    assertThat(exitCode).isZero();
    assertThat(jvm.loaded).containsExactly("attach\notel.service.name=orders\nx=a,b");
    assertThat(lines())
        .hasSize(2)
        .satisfies(
            lines -> {
              assertThat(lines.get(0))
                  .matches(
                      "opsagent 0\\.1\\.0 attached to JVM 4242 \\(com\\.example\\.Server\\):"
                          + " active \\d+\\.\\d\\d s after loading");
              assertThat(lines.get(1))
                  .isEqualTo("  opsagent 0.1.0 attached in 812 ms: traces to otlp");
            });
  }

  @Test
  void attachToAnActiveAgentDoesNothing() throws Exception {
    publish(jvm.system, "active", "2026-11-22T14:00:00Z", "started");

    assertThat(commands.attach(PID, List.of())).isZero();

    assertThat(jvm.loaded).isEmpty();
    assertThat(lines())
        .containsExactly(
            "opsagent 0.1.0 is already attached to 4242 (attach, since 2026-11-22T14:00:00Z):"
                + " nothing to do");
  }

  @Test
  void attachAfterAFailureWaitsForTheNewOutcomeNotTheOldOne() {
    publish(jvm.system, "failed", "2026-11-22T14:00:00Z", "old failure");
    jvm.onLoad =
        (options, properties) ->
            jvm.afterReads(
                2,
                () ->
                    publish(properties, "failed", "2026-11-22T14:05:00Z", "no space left on disk"));

    assertThatThrownBy(() -> commands.attach(PID, List.of()))
        .isInstanceOf(CliException.class)
        .hasMessage(
            "opsagent could not start in JVM 4242 (com.example.Server), which runs on without it:"
                + " no space left on disk");
    assertThat(jvm.loaded).containsExactly("attach\n");
  }

  @Test
  void attachToAJvmWhoseAgentReportsNothingSaysSoInsteadOfWaitingAMinute() {
    assertThatThrownBy(() -> commands.attach(PID, List.of()))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith(
            "opsagent was loaded into JVM 4242 (com.example.Server) but reported nothing within");
  }

  @Test
  void attachAndDetachToJava21AndNewerExplainTheJvmsWarning() throws Exception {
    jvm.system.setProperty("java.version", "25.0.3");
    jvm.onLoad =
        (options, properties) ->
            publish(
                properties,
                options.equals("detach") ? "detached" : "active",
                "2026-11-22T14:00:0" + jvm.loaded.size() + "Z",
                "done");

    commands.attach(PID, List.of());
    commands.detach(PID);

    assertThat(lines()).hasSize(6);
    assertThat(List.of(lines().get(0), lines().get(3)))
        .containsOnly(
            "note: JVM 4242 (com.example.Server) runs Java 25.0.3, which prints a WARNING on its"
                + " standard error for every agent loaded while it runs; starting it with"
                + " -XX:+EnableDynamicAgentLoading allows loading agents and silences the warning");
  }

  @Test
  void attachRefusesJava8() {
    jvm.system.setProperty("java.version", "1.8.0_392");

    assertThatThrownBy(() -> commands.attach(PID, List.of()))
        .hasMessage(
            "JVM 4242 (com.example.Server) runs Java 1.8.0_392, and opsagent needs Java 11 or"
                + " newer");
    assertThat(jvm.loaded).isEmpty();
  }

  @Test
  void detachAsksTheActiveAgentAndPrintsWhatItDid() throws Exception {
    publish(jvm.system, "active", "2026-11-22T14:00:00Z", "started");
    jvm.onLoad =
        (options, properties) ->
            publish(
                properties,
                "detached",
                "2026-11-22T14:10:00Z",
                "detached in 230 ms: 41 classes restored, exporter flushed, agent threads stopped");

    assertThat(commands.detach(PID)).isZero();

    assertThat(jvm.loaded).containsExactly("detach");
    assertThat(lines().get(0))
        .matches(
            "opsagent 0\\.1\\.0 detached from JVM 4242 \\(com\\.example\\.Server\\) in"
                + " \\d+\\.\\d\\d s");
    assertThat(lines().get(1))
        .isEqualTo(
            "  detached in 230 ms: 41 classes restored, exporter flushed, agent threads stopped");
  }

  @Test
  void detachWithoutARunningAgentDoesNothing() throws Exception {
    assertThat(commands.detach(PID)).isZero();
    publish(jvm.system, "detached", "2026-11-22T14:10:00Z", "detached");
    assertThat(commands.detach(PID)).isZero();

    assertThat(jvm.loaded).isEmpty();
    assertThat(lines())
        .containsExactly(
            "opsagent is not running in JVM 4242 (com.example.Server): nothing to do",
            "opsagent is not running in JVM 4242 (com.example.Server), detached since"
                + " 2026-11-22T14:10:00Z: nothing to do");
  }

  @Test
  void statusShowsThePublishedStateAndTheAgentsThreads() throws Exception {
    publish(jvm.system, "active", "2026-11-22T14:00:00Z", "opsagent 0.1.0 attached in 812 ms");
    jvm.threadDump = "\"main\" #1 prio=5\n\"opsagent-exporter\" #12 daemon prio=5\n";

    assertThat(commands.status(PID)).isZero();

    assertThat(lines())
        .containsExactly(
            "pid:       4242",
            "main:      com.example.Server",
            "java:      17.0.15",
            "opsagent:  0.1.0",
            "state:     active since 2026-11-22T14:00:00Z",
            "loaded:    attach",
            "summary:   opsagent 0.1.0 attached in 812 ms",
            "threads:   opsagent-exporter");
  }

  @Test
  void statusWithoutTheAgent() throws Exception {
    jvm.threadDump = "\"main\" #1 prio=5\n";

    assertThat(commands.status(PID)).isZero();

    assertThat(lines()).contains("opsagent:  not loaded", "threads:   none").hasSize(5);
  }

  private List<String> lines() {
    return List.of(output.toString(UTF_8).split(System.lineSeparator()));
  }

  private static void publish(Properties properties, String state, String since, String summary) {
    properties.setProperty(AgentState.VERSION, "0.1.0");
    properties.setProperty(AgentState.STATE, state);
    properties.setProperty(AgentState.LOADED, "attach");
    properties.setProperty(AgentState.SINCE, since);
    properties.setProperty(AgentState.SUMMARY, summary);
  }

  /** A JDK 17 JVM running com.example.Server, whose agent reacts to loadAgent as told. */
  private static final class FakeJvm implements JvmConnection {
    final Properties system = new Properties();
    final List<String> loaded = new ArrayList<>();
    BiConsumer<String, Properties> onLoad = (options, properties) -> {};
    String threadDump;
    private int readsUntilChange = -1;
    private Runnable change;

    FakeJvm() {
      system.setProperty("java.version", "17.0.15");
      system.setProperty("sun.java.command", "com.example.Server --port 8080");
    }

    /** Runs {@code change} when the properties have been read {@code reads} more times. */
    void afterReads(int reads, Runnable change) {
      this.readsUntilChange = reads;
      this.change = change;
    }

    @Override
    public Properties systemProperties() {
      if (readsUntilChange > 0 && --readsUntilChange == 0) {
        change.run();
      }
      Properties copy = new Properties();
      copy.putAll(system);
      return copy;
    }

    @Override
    public Properties agentProperties() {
      return new Properties();
    }

    @Override
    public void loadAgent(String agentJar, String options) {
      assertThat(agentJar).isEqualTo(JAR);
      loaded.add(options);
      onLoad.accept(options, system);
    }

    @Override
    public Optional<String> threadDump() {
      return Optional.ofNullable(threadDump);
    }

    @Override
    public void close() {}
  }
}
