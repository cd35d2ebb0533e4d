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
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's OpenTelemetry SDK as it builds it by default ({@link Telemetry#create}: OTLP traces
 * and metrics, the batch span processor with its default queue of 2,048 spans and batches of 512,
 * the periodic metric reader), with export made a no-op: where the agent connects its OTLP
 * exporters, this connects exporters that discard what they get, so everything up to the export
 * call is the agent's real path. The span exporter counts the spans and keeps the last one, for the
 * benchmark to check that it measured what it says.
 *
 * <p>{@code Telemetry} takes its exporters from the configuration only, so they are connected by
 * reflection, found in the object graph under it ({@code ObservedSpanExporter.connect}).
 */
final class AgentSdk {

  final Config config;
  final Telemetry telemetry;
  final TelemetryHolder holder = new TelemetryHolder();
  private final SdkTracerProvider tracerProvider;
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
    connect(find(telemetry, "dev.opsagent.exporter.ObservedSpanExporter"), new Discarding());
    connect(find(telemetry, "dev.opsagent.exporter.ObservedMetricExporter"), new NoMetrics());
    tracerProvider = (SdkTracerProvider) find(telemetry, SdkTracerProvider.class.getName());
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
      if (!tracerProvider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()) {
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

  private static void connect(Object observed, Object exporter) {
    try {
      for (Method method : observed.getClass().getDeclaredMethods()) {
        if (method.getName().equals("connect") && method.getParameterCount() == 1) {
          method.setAccessible(true);
          method.invoke(observed, exporter);
          return;
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot connect " + observed.getClass().getName(), e);
    }
    throw new IllegalStateException(observed.getClass().getName() + " has no connect method");
  }

  /**
   * @return the object of the class called {@code className} reachable from {@code root} through
   *     the fields of the agent's and the SDK's objects
   */
  private static Object find(Object root, String className) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Object object = queue.poll();
      if (!seen.add(object)) {
        continue;
      }
      if (object.getClass().getName().equals(className)) {
        return object;
      }
      for (Class<?> type = object.getClass(); type != null; type = type.getSuperclass()) {
        if (!followed(type)) {
          continue;
        }
        for (Field field : type.getDeclaredFields()) {
          if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
            continue;
          }
          Object value;
          try {
            field.setAccessible(true);
            value = field.get(object);
          } catch (ReflectiveOperationException | RuntimeException e) {
            continue;
          }
          if (value instanceof Collection) {
            queue.addAll((Collection<?>) value);
          } else if (value instanceof Map) {
            queue.addAll(((Map<?, ?>) value).values());
          } else if (value != null && followed(value.getClass())) {
            queue.add(value);
          }
        }
      }
    }
    throw new IllegalStateException("no " + className + " under " + root.getClass().getName());
  }

  private static boolean followed(Class<?> type) {
    String name = type.getName();
    return name.startsWith("dev.opsagent.") || name.startsWith("io.opentelemetry.");
  }
}
