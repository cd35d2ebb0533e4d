/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-only switch that makes points of the agent fail. */
class FaultInjectionTest {

  @Test
  void isOffWithoutTheSystemProperty() {
    assertThat(FaultInjection.ON).isFalse();
    assertThat(FaultInjection.point("jdk-http-server")).isNull();
    assertThatCode(() -> FaultInjection.passTransform("java.lang.Thread"))
        .doesNotThrowAnyException();
  }

  @Test
  void readsPointsSeparatedByCommas() {
    Map<String, FaultInjection.Point> points =
        FaultInjection.parse(" jdk-http-server/2, cpu-accounting,,transform:a.b.C ");

    assertThat(points).containsOnlyKeys("jdk-http-server", "cpu-accounting", "transform:a.b.C");
    assertThat(FaultInjection.parse(null)).isEmpty();
    assertThat(FaultInjection.parse(" ")).isEmpty();
  }

  @Test
  void aPointFailsAtEveryPassOrEveryNth() {
    Map<String, FaultInjection.Point> points = FaultInjection.parse("always,halves/2,typo/x");

    assertThatThrownBy(() -> points.get("always").pass())
        .hasMessage("fault injected at always (opsagent.test.fail, for tests only)");
    assertThatThrownBy(() -> points.get("always").pass()).isInstanceOf(RuntimeException.class);
    FaultInjection.Point halves = points.get("halves");
    assertThatCode(halves::pass).doesNotThrowAnyException();
    assertThatThrownBy(halves::pass).isInstanceOf(RuntimeException.class);
    assertThatCode(halves::pass).doesNotThrowAnyException();
    assertThatThrownBy(halves::pass).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> points.get("typo").pass())
        .as("a number it cannot read: every pass")
        .isInstanceOf(RuntimeException.class);
  }
}
