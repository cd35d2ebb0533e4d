/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.config.Config;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's OpenTelemetry SDK as it builds it by default ({@link Telemetry#create}: OTLP traces
 * and metrics, the batch span processor with its default queue of 2,048 spans and batches of 512,
 * the periodic metric reader), with export made a no-op: where the agent connects its OTLP
 * exporters, this connects exporters that discard what they get, so everything up to the export
 * call is the agent's real path. The span exporter counts the spans and keeps the last one, for the
 * benchmark to check that it measured what it says.
 */
final class AgentSdk {

  final Config config;
  final Telemetry telemetry;
  final TelemetryHolder holder = new TelemetryHolder();
  private final AtomicLong exported = new AtomicLong();
  private volatile SpanData last;

  /**
   * @param settings agent settings on top of the defaults, as {@code key, value, key, value}
   */
  AgentSdk(String... settings) {
    Properties properties = new Properties();
    properties.setProperty("otel.service.name", "benchmark");
    for (int i = 0; i < settings.length; i += 2) {
      properties.setProperty(settings[i], settings[i + 1]);
    }
    config = Config.create(null, properties, Collections.emptyMap());
    telemetry = Telemetry.create(config);
    telemetry.connectExporters(new Discarding(), new NoMetrics());
    holder.set(telemetry);
  }

  /**
   * Exports what the batch span processor holds, until {@code expected} spans were exported since
   * the SDK was built, or for at most a second: a flush the processor's worker was already doing
   * when this one was asked for can report success before it took the last spans.
   *
   * @return the spans exported since the SDK was built
   */
  long flush(long expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (true) {
      if (!telemetry.flushSpans(Duration.ofSeconds(30))) {
        throw new IllegalStateException("the span processor did not flush within 30 s");
      }
      long count = exported.get();
      if (count >= expected || System.nanoTime() > deadline) {
        return count;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return count;
      }
    }
  }

  /**
   * @return the last span exported, or {@code null}
   */
  SpanData lastSpan() {
    return last;
  }

  void shutdown() {
    telemetry.shutdown(Duration.ofSeconds(10));
  }

  /** Counts the spans, keeps the last, exports nothing. */
  private final class Discarding implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      SpanData lastOfBatch = null;
      for (SpanData span : spans) {
        lastOfBatch = span;
      }
      last = lastOfBatch;
      exported.addAndGet(spans.size());
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
  }

  /** Exports no metrics (the reader's minute-long interval is longer than a trial anyway). */
  private static final class NoMetrics implements MetricExporter {
    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
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
  }
}
