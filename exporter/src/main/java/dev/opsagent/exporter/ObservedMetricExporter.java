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
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The metric exporter the periodic reader is built with; the real one is connected later, as for
 * spans ({@link ObservedSpanExporter}). Both the OTLP and the console exporters use cumulative
 * temporality and default aggregations, which this one therefore declares up front.
 */
final class ObservedMetricExporter implements MetricExporter {

  private final CompletableFuture<MetricExporter> delegate = new CompletableFuture<>();
  private final ExportHealth health;

  ObservedMetricExporter(ExportHealth health) {
    this.health = health;
  }

  void connect(MetricExporter exporter) {
    delegate.complete(exporter);
  }

  ExportHealth health() {
    return health;
  }

  /** The real exporter could not be created: every export fails with this cause. */
  void failed(Throwable cause) {
    delegate.completeExceptionally(cause);
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    return health.watch(
        Connections.export(delegate, exporter -> exporter.export(metrics)), metrics.size());
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode flush() {
    return Connections.ifConnected(delegate, MetricExporter::flush);
  }

  @Override
  public CompletableResultCode shutdown() {
    return Connections.ifConnected(delegate, MetricExporter::shutdown);
  }
}
