/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A span's end, until it sits in the batch span processor's queue, on the agent's SDK ({@link
 * AgentSdk}: the agent's processor, its default queue of 2,048 and batches of 512, export a no-op).
 * A span can be ended once, so each operation starts one and ends it: {@link #startAndEnd} minus
 * {@link #start} (the same span started and left) is the end. The {@code 2Threads} pair does the
 * same on two threads at once, both offering to the one queue, while the processor's worker, on the
 * same two cores, drains it.
 *
 * <p>Each iteration checks at its end that the spans ended were exported, not dropped from a full
 * queue, which is another path than the one meant here. Unpaced, one thread ends spans faster (~3
 * million a second) than the processor's worker exports them, which no server does; so every
 * operation, in both benchmarks of a pair, first burns {@value #PACE_TOKENS} tokens of CPU ({@link
 * Blackhole#consumeCPU}), which cancels out in the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpanEndBenchmark {

  /** How much CPU each operation burns first, so that the queue never fills up. */
  static final long PACE_TOKENS = 1000;

  private AgentSdk sdk;
  private Tracer tracer;
  private final List<Counter> counters = new CopyOnWriteArrayList<>();

  /** Spans one benchmark thread ended in this iteration. */
  @State(Scope.Thread)
  public static class Counter {
    long ended;

    @Setup(Level.Trial)
    public void register(SpanEndBenchmark benchmark) {
      benchmark.counters.add(this);
    }
  }

  @Setup(Level.Trial)
  public void startSdk() {
    sdk = new AgentSdk();
    tracer = sdk.telemetry.tracer();
  }

  @TearDown(Level.Trial)
  public void stop() {
    sdk.shutdown();
  }

  @Setup(Level.Iteration)
  public void startCounting() {
    sdk.flush();
    for (Counter counter : counters) {
      counter.ended = 0;
    }
  }

  /** The spans ended in the iteration were exported ({@link Exported}). */
  @TearDown(Level.Iteration)
  public void check() {
    long exported = sdk.flush();
    long ended = 0;
    for (Counter counter : counters) {
      ended += counter.ended;
    }
    Exported.check(ended, exported);
  }

  private Span startSpan() {
    Blackhole.consumeCPU(PACE_TOKENS);
    return tracer.spanBuilder("GET /api/orders").setSpanKind(SpanKind.SERVER).startSpan();
  }

  /**
   * @return a SERVER span, started and left open
   */
  @Benchmark
  public Span start() {
    return startSpan();
  }

  /** A SERVER span started and ended. */
  @Benchmark
  public void startAndEnd(Counter counter) {
    startSpan().end();
    counter.ended++;
  }

  /**
   * @return {@link #start}, on two threads at once
   */
  @Benchmark
  @Threads(2)
  public Span start2Threads() {
    return startSpan();
  }

  /** {@link #startAndEnd}, on two threads at once. */
  @Benchmark
  @Threads(2)
  public void startAndEnd2Threads(Counter counter) {
    startSpan().end();
    counter.ended++;
  }
}
