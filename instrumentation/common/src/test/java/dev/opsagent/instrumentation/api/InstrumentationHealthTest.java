/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failures counted, the threshold within a minute, the one warning and the metrics. */
class InstrumentationHealthTest {

  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  @Test
  void failuresBelowTheThresholdAreCountedAndDisableNothing() {
    InstrumentationHealth health = health("executors", 3);

    String log = logOf(() -> fail(health, 2));

    assertThat(health.isDisabled()).isFalse();
    assertThat(health.failures()).isEqualTo(2);
    assertThat(log).isEmpty();
  }

  @Test
  void failuresSpreadOverMinutesNeverDisable() {
    InstrumentationHealth health = health("threads", 3);

    String log =
        logOf(
            () -> {
              for (int i = 0; i < 10; i++) {
                fail(health, 1);
                now.addAndGet(TimeUnit.SECONDS.toNanos(31));
              }
            });

    assertThat(health.isDisabled()).isFalse();
    assertThat(health.failures()).isEqualTo(10);
    assertThat(log).isEmpty();
  }

  @Test
  void theThresholdWithinAMinuteDisablesWithOneWarning() {
    InstrumentationHealth health = health("jdk-http-server", 3);

    String log =
        logOf(
            () -> {
              fail(health, 2);
              now.addAndGet(TimeUnit.SECONDS.toNanos(59));
              fail(health, 1);
              fail(health, 2);
            });

    assertThat(health.isDisabled()).isTrue();
    assertThat(health.failures()).as("failures after it, counted too").isEqualTo(5);
    assertThat(log.lines()).hasSize(1);
    assertThat(log)
        .contains(
            " WARN InstrumentationHealth: instrumentation jdk-http-server is disabled after 3")
        .contains("the application is not affected")
        .contains("Last failure: java.lang.IllegalStateException: helper bug at ")
        .contains(InstrumentationHealthTest.class.getName())
        .contains("Set opsagent.instrumentation.jdk-http-server.enabled=false")
        .contains("opsagent.log.level=debug");
  }

  @Test
  void aThresholdOfOneDisablesAtTheFirstFailure() {
    InstrumentationHealth health = health("servlet", 1);

    String log = logOf(() -> fail(health, 1));

    assertThat(health.isDisabled()).isTrue();
    assertThat(log).contains("instrumentation servlet is disabled after 1 failure within a minute");
  }

  @Test
  void reportsFailuresAndWhichAreDisabledAsMetrics() {
    InstrumentationHealth failing = health("jdk-http-server", 2);
    InstrumentationHealth healthy = health("executors", 2);
    logOf(() -> fail(failing, 3));
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    SdkMeterProvider meters = SdkMeterProvider.builder().registerMetricReader(reader).build();

    InstrumentationHealth.register(meters.get("test"), Arrays.asList(failing, healthy));

    Map<String, Map<String, Long>> values = new HashMap<>();
    for (MetricData metric : reader.collectAllMetrics()) {
      Iterable<LongPointData> points =
          metric.getName().endsWith("failures")
              ? metric.getLongSumData().getPoints()
              : metric.getLongGaugeData().getPoints();
      for (LongPointData point : points) {
        values
            .computeIfAbsent(metric.getName(), name -> new HashMap<>())
            .put(
                point.getAttributes().get(AttributeKey.stringKey("opsagent.instrumentation.name")),
                point.getValue());
      }
    }
    assertThat(values)
        .containsEntry(
            "opsagent.instrumentation.failures", Map.of("jdk-http-server", 3L, "executors", 0L))
        .containsEntry(
            "opsagent.instrumentation.disabled", Map.of("jdk-http-server", 1L, "executors", 0L));
    meters.close();
  }

  private InstrumentationHealth health(String name, int threshold) {
    return new InstrumentationHealth(name, threshold, now::get);
  }

  private static void fail(InstrumentationHealth health, int times) {
    for (int i = 0; i < times; i++) {
      health.failed(new IllegalStateException("helper bug"));
    }
  }

  /** What {@code action} logged at the default level. */
  private String logOf(Runnable action) {
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(originalErr);
    }
    return stderr.toString(StandardCharsets.UTF_8);
  }
}
