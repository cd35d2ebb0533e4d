/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.PointData;

/** The value of one metric point as a person reads it. */
final class PointText {

  private PointText() {}

  static String of(PointData point) {
    if (point instanceof HistogramPointData) {
      HistogramPointData histogram = (HistogramPointData) point;
      return "count="
          + histogram.getCount()
          + " sum="
          + histogram.getSum()
          + (histogram.hasMin() ? " min=" + histogram.getMin() + " max=" + histogram.getMax() : "");
    }
    if (point instanceof LongPointData) {
      return "value=" + ((LongPointData) point).getValue();
    }
    if (point instanceof DoublePointData) {
      return "value=" + ((DoublePointData) point).getValue();
    }
    return point.toString();
  }
}
