/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A span's end, until it sits in the batch span processor's queue, on the agent's SDK ({@link
 * AgentSdk}: the agent's processor, its queue of 2,048 and batches of 512, export a no-op). Before
 * each shot every benchmark thread starts {@link Batch#SIZE} SERVER spans (not measured; the queue
 * was flushed after the shot before); the shot ends them, one after the other ({@link Batch}): the
 * score is one span's end. {@link #end2Threads} does the same on two threads at once, both offering
 * to the one queue (2,000 spans, within its 2,048), while the processor's worker, woken at 512,
 * drains it on the same two cores. Each shot checks that every span ended was exported.
 *
 * <p>What a thread allocates ending its spans is printed as {@code [request thread] N B/op}; {@code
 * -prof gc} adds the spans' starts (in the shot's set-up) and the worker's conversion.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Batch.SIZE)
@Warmup(iterations = Batch.WARMUP, batchSize = 1)
@Measurement(iterations = Batch.MEASURED, batchSize = 1)
@Fork(1)
public class SpanEndBenchmark {

  private AgentSdk sdk;
  private final List<Spans> threads = new CopyOnWriteArrayList<>();

  /** One benchmark thread's spans, started before the shot. */
  @State(Scope.Thread)
  public static class Spans {
    final Span[] spans = new Span[Batch.SIZE];
    final ThreadAllocation allocation = new ThreadAllocation();

    /** Spans this thread ended so far. */
    long ended;

    @Setup(Level.Trial)
    public void register(SpanEndBenchmark benchmark) {
      benchmark.threads.add(this);
    }

    /** Starts the shot's spans. */
    @Setup(Level.Iteration)
    public void start(SpanEndBenchmark benchmark) {
      for (int i = 0; i < spans.length; i++) {
        spans[i] =
            benchmark
                .sdk
                .telemetry
                .tracer()
                .spanBuilder("GET /api/orders")
                .setSpanKind(SpanKind.SERVER)
                .startSpan();
      }
    }
  }

  @Setup(Level.Trial)
  public void startSdk() {
    sdk = new AgentSdk();
  }

  @TearDown(Level.Trial)
  public void stop() {
    sdk.shutdown();
  }

  /** Every span ended so far was exported; the queue is empty for the next shot. */
  @TearDown(Level.Iteration)
  public void check() {
    long ended = 0;
    for (Spans thread : threads) {
      ended += thread.ended;
    }
    long exported = sdk.flush(ended);
    Exported.check(ended, exported);
  }

  private static void endAll(Spans thread) {
    thread.allocation.start();
    Span[] spans = thread.spans;
    for (int i = 0; i < spans.length; i++) {
      spans[i].end();
      spans[i] = null;
    }
    thread.ended += spans.length;
    thread.allocation.stop(spans.length);
  }

  /** {@link Batch#SIZE} spans ended, one thread. */
  @Benchmark
  public void end(Spans thread) {
    endAll(thread);
  }

  /** {@link Batch#SIZE} spans ended on each of two threads at once. */
  @Benchmark
  @Threads(2)
  public void end2Threads(Spans thread) {
    endAll(thread);
  }
}
