/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class TargetJvmTest {

  @Test
  void readsTheJavaVersionAndTheMainClassOrJar() {
    TargetJvm jvm = jvm("17.0.15", "com.example.Server --port 8080", "");

    assertThat(jvm.javaVersion()).isEqualTo("17.0.15");
    assertThat(jvm.feature()).isEqualTo(17);
    assertThat(jvm.main()).isEqualTo("com.example.Server");
    assertThat(jvm.name()).isEqualTo("JVM 4242 (com.example.Server)");
    assertThat(jvm("25.0.3", "app.jar", "").main()).isEqualTo("app.jar");
    assertThat(jvm("25.0.3", "", "").main()).isEqualTo("?");
  }

  @Test
  void featureReleasesOfOldAndNewVersionStrings() {
    assertThat(TargetJvm.feature("1.8.0_392")).isEqualTo(8);
    assertThat(TargetJvm.feature("11.0.2")).isEqualTo(11);
    assertThat(TargetJvm.feature("21")).isEqualTo(21);
    assertThat(TargetJvm.feature("26-ea")).isEqualTo(26);
    assertThat(TargetJvm.feature("?")).isZero();
  }

  @Test
  void java21AndNewerWarnOfDynamicAgentsUnlessEnabledExplicitly() {
    assertThat(jvm("17.0.15", "Main", "").warnsOfDynamicAgents()).isFalse();
    assertThat(jvm("21.0.1", "Main", "-Xmx1g").warnsOfDynamicAgents()).isTrue();
    assertThat(jvm("25.0.3", "Main", "-XX:+EnableDynamicAgentLoading").warnsOfDynamicAgents())
        .isFalse();
    assertThat(
            jvm("25.0.3", "Main", "-XX:+EnableDynamicAgentLoading -XX:-EnableDynamicAgentLoading")
                .forbidsDynamicAgents())
        .isTrue();
    assertThat(jvm("25.0.3", "Main", "").forbidsDynamicAgents()).isFalse();
  }

  @Test
  void theAgentsStateComesFromTheSystemProperties() {
    Properties system = new Properties();
    system.setProperty(AgentState.VERSION, "0.1.0");
    system.setProperty(AgentState.STATE, "active");
    system.setProperty(AgentState.LOADED, "attach");
    system.setProperty(AgentState.SINCE, "2026-11-22T14:17:47Z");
    system.setProperty(AgentState.SUMMARY, "opsagent 0.1.0 attached in 812 ms");
    AgentState agent = TargetJvm.of(1, system, new Properties()).agent();

    assertThat(agent.isLoaded()).isTrue();
    assertThat(agent.isRunning()).isTrue();
    assertThat(agent.brief()).isEqualTo("0.1.0 active (attach)");
    assertThat(agent.summary()).isEqualTo("opsagent 0.1.0 attached in 812 ms");

    AgentState none = AgentState.of(new Properties());
    assertThat(none.isLoaded()).isFalse();
    assertThat(none.isRunning()).isFalse();
    assertThat(none.brief()).isEqualTo("-");
  }

  @Test
  void aStateEnteredAgainCountsAsAChange() {
    AgentState failed = state("failed", "2026-11-22T14:00:00Z");

    assertThat(state("failed", "2026-11-22T14:00:00Z").changedSince(failed)).isFalse();
    assertThat(state("failed", "2026-11-22T14:05:00Z").changedSince(failed)).isTrue();
    assertThat(state("starting", "2026-11-22T14:00:00Z").changedSince(failed)).isTrue();
  }

  private static AgentState state(String state, String since) {
    Properties system = new Properties();
    system.setProperty(AgentState.STATE, state);
    system.setProperty(AgentState.SINCE, since);
    return AgentState.of(system);
  }

  private static TargetJvm jvm(String version, String command, String jvmArgs) {
    Properties system = new Properties();
    system.setProperty("java.version", version);
    system.setProperty("sun.java.command", command);
    Properties agent = new Properties();
    agent.setProperty("sun.jvm.args", jvmArgs);
    return TargetJvm.of(4242, system, agent);
  }
}
