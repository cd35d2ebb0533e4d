/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcTest {

  @Test
  void readsTicksAndANameWithSpacesAndParentheses() {
    String stat =
        "4711 (OkHttp (x) 1) S 4700 4700 4700 0 -1 1077936192 10 0 0 0 123 45 6 7 20 0 40 0 900";

    assertThat(Proc.statName(stat)).isEqualTo("OkHttp (x) 1");
    assertThat(Proc.statTicks(stat)).isEqualTo(168);
    assertThat(Proc.statChildTicks(stat)).isEqualTo(13);
  }

  @Test
  void sortsThreadsOfBothAgentsTheAppAndTheJvm() {
    assertThat(Proc.category("opsagent-init")).isEqualTo("agent");
    assertThat(Proc.category("BatchSpanProces")).isEqualTo("agent");
    assertThat(Proc.category("BatchSpanProcessor_WorkerThread-1")).isEqualTo("agent");
    assertThat(Proc.category("OkHttp http://1")).isEqualTo("agent");
    assertThat(Proc.category("Okio Watchdog")).isEqualTo("agent");
    assertThat(Proc.category("PeriodicMetricR")).isEqualTo("agent");
    assertThat(Proc.category("app-worker-3")).isEqualTo("app");
    assertThat(Proc.category("HTTP-Dispatcher")).isEqualTo("app");
    assertThat(Proc.category("C2 CompilerThre")).isEqualTo("jit");
    assertThat(Proc.category("G1 Conc#0")).isEqualTo("gc+vm");
    assertThat(Proc.category("main")).isEqualTo("other");
  }

  @Test
  void readsThisProcess() {
    assertThat(Proc.rssBytes(Proc.self())).isPositive();
    assertThat(Proc.processTicks(Proc.self())).isNotNegative();
    assertThat(Proc.threadTicks(Proc.self())).isNotEmpty();
    long[] machine = Proc.machineTicks();
    assertThat(machine[1]).isGreaterThanOrEqualTo(machine[0]).isPositive();
  }
}
