/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import io.opentelemetry.sdk.trace.SpanLimits;

/**
 * How long a span's string attribute values may be and how many attributes a span may hold, read as
 * the SDK's autoconfiguration reads them: a span-specific key wins over the general one.
 */
final class AttributeLimits {

  /**
   * Unlike the SDK, which leaves values uncut, the agent cuts them at 16,384 characters unless
   * configured: what it records from the request itself is cut far shorter already (URL parts,
   * header values), so this only reaches the application's own text, exception messages and stack
   * traces. A typical stack trace with its causes (100 to 150 frames) stays whole; an exception
   * whose message repeats a huge request value cannot make each queued span hold it.
   */
  static final int DEFAULT_VALUE_LENGTH = 16_384;

  private AttributeLimits() {}

  static SpanLimits resolve(Config config) {
    int valueLength = config.getInt(Keys.ATTRIBUTE_VALUE_LENGTH_LIMIT, DEFAULT_VALUE_LENGTH, 1);
    int count =
        config.getInt(
            Keys.ATTRIBUTE_COUNT_LIMIT, SpanLimits.getDefault().getMaxNumberOfAttributes(), 1);
    return SpanLimits.builder()
        .setMaxAttributeValueLength(
            config.getInt(Keys.SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, valueLength, 1))
        .setMaxNumberOfAttributes(config.getInt(Keys.SPAN_ATTRIBUTE_COUNT_LIMIT, count, 1))
        .build();
  }
}
