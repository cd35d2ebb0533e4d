/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
// In the exporter's package: the encoder is not public API.
package dev.opsagent.exporter;

import dev.opsagent.benchmarks.SampleSpan;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A batch of 512 of the agent's server spans ({@link SampleSpan}: 21 attributes) written as one
 * OTLP request body, the exporter's work per batch apart from sending it. Score: one span.
 *
 * <ul>
 *   <li>{@code agentEncoder}: the agent's {@link SpanRequestEncoder}, one pass into a reused array.
 *   <li>{@code sdkReusableData}: the SDK exporter's default ({@code MemoryMode.REUSABLE_DATA}):
 *       sizes computed, then bytes written, both walking every span.
 *   <li>{@code sdkImmutableData}: the SDK's other mode, a marshaler object per span and value.
 * </ul>
 *
 * The SDK's bytes go to an output that drops them, so they are not even copied.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(SpanEncodingBenchmark.SPANS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpanEncodingBenchmark {

  static final int SPANS = 512;

  private final List<SpanData> spans = new ArrayList<>();
  private final SpanRequestEncoder encoder = new SpanRequestEncoder();
  private final ProtoWriter writer = new ProtoWriter(512 * 1024);
  private final LowAllocationTraceRequestMarshaler reusable =
      new LowAllocationTraceRequestMarshaler();
  private final OutputStream discard =
      new OutputStream() {
        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] bytes, int offset, int length) {}
      };

  @Setup
  public void endSpans() {
    // A processor, or the SDK would not record the spans; one that exports nowhere.
    Tracer tracer =
        SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite()))
            .build()
            .get("dev.opsagent");
    for (int i = 0; i < SPANS; i++) {
      // The SDK's spans are readable: their data is what the batch span processor exports.
      spans.add(((ReadableSpan) SampleSpan.record(tracer, Context.root(), i)).toSpanData());
    }
  }

  @Benchmark
  public int agentEncoder() {
    writer.reset();
    encoder.encode(spans, writer);
    return writer.size();
  }

  @Benchmark
  public int sdkReusableData() throws IOException {
    reusable.initialize(spans);
    try {
      reusable.writeBinaryTo(discard);
      return reusable.getBinarySerializedSize();
    } finally {
      reusable.reset();
    }
  }

  @Benchmark
  public int sdkImmutableData() throws IOException {
    TraceRequestMarshaler marshaler = TraceRequestMarshaler.create(spans);
    marshaler.writeBinaryTo(discard);
    return marshaler.getBinarySerializedSize();
  }
}
