/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.config.Config;
import io.opentelemetry.sdk.trace.SpanLimits;
import java.util.Collections;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class AttributeLimitsTest {

  /** A config from system properties only, given as key, value, key, value... */
  private static Config config(String... keyValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      properties.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return Config.create(null, properties, Collections.emptyMap());
  }

  @Test
  void valuesAreCutAt16384CharactersAndTheSdkCountLimitIsKeptByDefault() {
    SpanLimits limits = AttributeLimits.resolve(config());

    assertThat(limits.getMaxAttributeValueLength()).isEqualTo(16_384);
    assertThat(limits.getMaxNumberOfAttributes())
        .isEqualTo(SpanLimits.getDefault().getMaxNumberOfAttributes());
  }

  @Test
  void generalKeysSetBothLimits() {
    SpanLimits limits =
        AttributeLimits.resolve(
            config("otel.attribute.value.length.limit", "100", "otel.attribute.count.limit", "50"));

    assertThat(limits.getMaxAttributeValueLength()).isEqualTo(100);
    assertThat(limits.getMaxNumberOfAttributes()).isEqualTo(50);
  }

  @Test
  void spanKeysWinOverTheGeneralOnes() {
    SpanLimits limits =
        AttributeLimits.resolve(
            config(
                "otel.attribute.value.length.limit", "100",
                "otel.span.attribute.value.length.limit", "200",
                "otel.attribute.count.limit", "50",
                "otel.span.attribute.count.limit", "60"));

    assertThat(limits.getMaxAttributeValueLength()).isEqualTo(200);
    assertThat(limits.getMaxNumberOfAttributes()).isEqualTo(60);
  }

  @Test
  void invalidValueKeepsTheDefaultWithOneProblem() {
    Config config = config("otel.span.attribute.value.length.limit", "0");

    assertThat(AttributeLimits.resolve(config).getMaxAttributeValueLength()).isEqualTo(16_384);
    assertThat(config.drainProblems())
        .singleElement()
        .asString()
        .contains("otel.span.attribute.value.length.limit", "using 16384");
  }
}
