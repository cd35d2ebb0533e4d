/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.PrintStream;
import java.util.Collection;

/** Prints each metric point on standard output ({@code otel.metrics.exporter=console}). */
final class ConsoleMetricExporter implements MetricExporter {

  private final PrintStream out;

  ConsoleMetricExporter(PrintStream out) {
    this.out = out;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    StringBuilder text = new StringBuilder();
    for (MetricData metric : metrics) {
      metric
          .getData()
          .getPoints()
          .forEach(
              point ->
                  text.append("[opsagent metric] ")
                      .append(metric.getName())
                      .append(" (")
                      .append(metric.getUnit())
                      .append(") ")
                      .append(point.getAttributes())
                      .append(' ')
                      .append(PointText.of(point))
                      .append('\n'));
    }
    synchronized (out) {
      out.print(text);
      out.flush();
    }
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode flush() {
    out.flush();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return flush();
  }
}
