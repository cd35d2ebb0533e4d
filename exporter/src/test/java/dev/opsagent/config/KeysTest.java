/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeysTest {

  @Test
  void otlpBuildsTheSharedAndTheSignalSpecificKey() {
    assertThat(Keys.otlp("", "endpoint")).isEqualTo("otel.exporter.otlp.endpoint");
    assertThat(Keys.otlp("traces", "endpoint")).isEqualTo("otel.exporter.otlp.traces.endpoint");
    assertThat(Keys.otlp("metrics", "headers")).isEqualTo("otel.exporter.otlp.metrics.headers");
  }

  @Test
  void instrumentationEnabledKeyNamesTheInstrumentation() {
    assertThat(Keys.instrumentationEnabled("jdk-http-server"))
        .isEqualTo("opsagent.instrumentation.jdk-http-server.enabled");
  }

  @Test
  void allContainsTheSharedAndPerSignalOtlpKeys() {
    Set<String> all = Keys.all(Collections.emptyList());

    for (String setting :
        Arrays.asList(
            "endpoint",
            "protocol",
            "headers",
            "timeout",
            "compression",
            "certificate",
            "client.key",
            "client.certificate")) {
      assertThat(all)
          .contains(
              "otel.exporter.otlp." + setting,
              "otel.exporter.otlp.traces." + setting,
              "otel.exporter.otlp.metrics." + setting);
    }
  }

  @Test
  void allContainsTheGeneralKeys() {
    assertThat(Keys.all(Collections.emptyList()))
        .contains(
            "otel.service.name",
            "otel.resource.attributes",
            "otel.traces.exporter",
            "otel.metrics.exporter",
            "otel.bsp.schedule.delay",
            "otel.bsp.max.queue.size",
            "otel.bsp.max.export.batch.size",
            "otel.bsp.export.timeout",
            "otel.metric.export.interval",
            "otel.attribute.value.length.limit",
            "otel.span.attribute.value.length.limit",
            "otel.attribute.count.limit",
            "otel.span.attribute.count.limit",
            "opsagent.thread-contention-monitoring",
            "otel.instrumentation.http.server.capture-request-headers",
            "otel.instrumentation.http.server.capture-response-headers",
            "opsagent.log.level",
            "opsagent.capture.redact",
            "opsagent.capture.redact-query-parameters",
            "opsagent.capture.header-value-max-length",
            "opsagent.capture.url-max-length",
            "opsagent.shutdown.timeout");
  }

  @Test
  void allContainsTheEnabledKeyOfEveryGivenInstrumentation() {
    Set<String> all = Keys.all(Arrays.asList("jdk-http-server", "servlet"));

    assertThat(all)
        .contains(
            "opsagent.instrumentation.jdk-http-server.enabled",
            "opsagent.instrumentation.servlet.enabled");
  }

  @Test
  void allWithoutInstrumentationsHasNoInstrumentationKey() {
    assertThat(Keys.all(Collections.emptyList()))
        .noneMatch(key -> key.matches("opsagent\\.instrumentation\\..*\\.enabled"))
        .contains(Keys.INSTRUMENTATION_FAILURE_THRESHOLD, Keys.TEST_FAIL)
        .hasSize(25 + 24);
  }

  @Test
  void allIsUnmodifiable() {
    Set<String> all = Keys.all(Collections.emptyList());

    assertThatThrownBy(() -> all.add("opsagent.extra"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
