/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/** A span exporter whose every outcome goes through {@link ExportHealth}. */
final class ObservedSpanExporter implements SpanExporter {

  private final SpanExporter delegate;
  private final ExportHealth health;

  ObservedSpanExporter(SpanExporter delegate, ExportHealth health) {
    this.delegate = delegate;
    this.health = health;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return health.watch(delegate.export(spans), spans.size());
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
