/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceStatesTest {

  @Test
  void headerWithinTheLengthIsKeptAsTheSameInstance() {
    String tracestate = "a=1, b=" + "v".repeat(300) + "," + "c=" + "w".repeat(190);

    assertThat(tracestate).hasSize(500);
    assertThat(TraceStates.bounded(tracestate)).isSameAs(tracestate);
    assertThat(TraceStates.bounded(null)).isNull();
  }

  @Test
  void longMembersGoFirstThenMembersFromTheEnd() {
    StringBuilder tracestate = new StringBuilder("big=" + "v".repeat(200));
    for (int i = 0; i < 60; i++) {
      tracestate.append(" ,\tk").append(i).append("=value");
    }

    String bounded = TraceStates.bounded(tracestate.toString());

    assertThat(bounded).startsWith("k0=value,k1=value,").doesNotContain("big", " ", "\t");
    assertThat(bounded.length())
        .isLessThanOrEqualTo(512)
        .isGreaterThan(512 - "k59=value,".length());
  }

  @Test
  void headerOfLongMembersOnlyKeepsNothing() {
    assertThat(TraceStates.bounded("a=" + "v".repeat(600))).isEmpty();
    assertThat(TraceStates.bounded(",".repeat(70_000))).isEmpty();
  }
}
