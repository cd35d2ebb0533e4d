/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the spans that wait for export, in front of the batch span processor, so that the agent
 * knows which spans a full queue drops: the processor drops them silently but for its own metric
 * and a log record per batch. A span that ends while {@code capacity} spans wait is dropped here
 * and counted in {@link ExportHealth}, which reports it; the processor's queue, as large, never
 * overflows. A span stops waiting when the exporter takes its batch ({@link #taken(int)}).
 */
final class SpanQueueLimit {

  private final int capacity;
  private final ExportHealth health;
  private final int maxAttributes;
  private final AtomicInteger waiting = new AtomicInteger();

  /**
   * @param maxAttributes the spans' attribute limit, which also bounds the attributes spans end
   *     with ({@link SpanEnds})
   */
  SpanQueueLimit(int capacity, ExportHealth health, int maxAttributes) {
    this.capacity = capacity;
    this.health = health;
    this.maxAttributes = maxAttributes;
  }

  /**
   * @return {@code batchProcessor}, behind this limit
   */
  SpanProcessor before(SpanProcessor batchProcessor) {
    return new Gate(batchProcessor);
  }

  /** The exporter took {@code count} spans from the queue. */
  void taken(int count) {
    waiting.addAndGet(-count);
  }

  /**
   * Whether a span that ended may wait for export; if not, it is counted as dropped. On the
   * application's threads: one atomic update, no lock, no log.
   */
  boolean admit() {
    if (waiting.incrementAndGet() <= capacity) {
      return true;
    }
    waiting.decrementAndGet();
    health.dropped(1);
    return false;
  }

  private final class Gate implements SpanProcessor {
    private final SpanProcessor batchProcessor;

    Gate(SpanProcessor batchProcessor) {
      this.batchProcessor = batchProcessor;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      batchProcessor.onStart(parentContext, span);
    }

    @Override
    public boolean isStartRequired() {
      return batchProcessor.isStartRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
      // The batch processor exports sampled spans only: others must not take a place.
      if (span.getSpanContext().isSampled() && admit()) {
        batchProcessor.onEnd(SpanEnds.withEndAttributes(span, maxAttributes));
      }
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }

    @Override
    public CompletableResultCode shutdown() {
      return batchProcessor.shutdown();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return batchProcessor.forceFlush();
    }
  }
}
