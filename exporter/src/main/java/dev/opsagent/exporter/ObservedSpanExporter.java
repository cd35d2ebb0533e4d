/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The span exporter the batch span processor is built with. The real exporter (OTLP client, TLS,
 * connection pool) is connected later, off the path of the first requests; until then the
 * processor's worker thread, never an application thread, waits for it. Every outcome goes through
 * {@link ExportHealth}; every batch it takes frees its places in the {@link SpanQueueLimit}.
 */
final class ObservedSpanExporter implements SpanExporter {

  private final CompletableFuture<SpanExporter> delegate = new CompletableFuture<>();
  private final ExportHealth health;
  private final SpanQueueLimit queueLimit;

  ObservedSpanExporter(ExportHealth health, SpanQueueLimit queueLimit) {
    this.health = health;
    this.queueLimit = queueLimit;
  }

  void connect(SpanExporter exporter) {
    delegate.complete(exporter);
  }

  /** The real exporter could not be created: every export fails with this cause. */
  void failed(Throwable cause) {
    delegate.completeExceptionally(cause);
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    queueLimit.taken(spans.size());
    return health.watch(
        Connections.export(delegate, exporter -> exporter.export(spans)), spans.size());
  }

  @Override
  public CompletableResultCode flush() {
    return Connections.ifConnected(delegate, SpanExporter::flush);
  }

  @Override
  public CompletableResultCode shutdown() {
    return Connections.ifConnected(delegate, SpanExporter::shutdown);
  }
}
