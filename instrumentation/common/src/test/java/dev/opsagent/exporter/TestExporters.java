/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The recorders' tests read spans as the agent exports them (a span's cost attributes travel beside
 * the SDK's span to the exporter, see {@link SpanEnds}): spans collected in memory as exported,
 * metrics printed as the console exporter prints them.
 */
public final class TestExporters {

  private final Telemetry telemetry;
  private final List<SpanData> exported = new CopyOnWriteArrayList<>();

  private TestExporters(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  /** Connects {@code telemetry}'s exporters, its metrics printed to {@code metricsOut}. */
  public static TestExporters connect(Telemetry telemetry, PrintStream metricsOut) {
    TestExporters exporters = new TestExporters(telemetry);
    telemetry.connectExporters(
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            exporters.exported.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        },
        new ConsoleMetricExporter(metricsOut));
    return exporters;
  }

  /**
   * @return {@code span} as exported, once its queue has been flushed
   * @throws AssertionError if it was not exported within 10 s
   */
  public SpanData exported(Span span) {
    String spanId = span.getSpanContext().getSpanId();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    do {
      // A flush asked for just as the previous one completes gets that one's result (the batch
      // span processor forgets a flush after completing it): hence the loop.
      telemetry.flushSpans(Duration.ofSeconds(10));
      for (SpanData data : exported) {
        if (data.getSpanId().equals(spanId)) {
          return data;
        }
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("span " + spanId + " was not exported");
  }
}
