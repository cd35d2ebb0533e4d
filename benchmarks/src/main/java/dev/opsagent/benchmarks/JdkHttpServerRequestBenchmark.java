/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.jdkhttpserver.JdkHttpServerInstrumentationModule;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.io.IOException;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request through the JDK HTTP server's filter chain with the agent's advice, as woven into
 * {@code Filter.Chain.doFilter}: {@code Bridge.jdkHttpServer.onEnter(exchange)}, the handler,
 * {@code onExit(token, exchange, null)}. The recorder is the agent's ({@link
 * JdkHttpServerInstrumentationModule#start}), on the agent's SDK with export made a no-op ({@link
 * AgentSdk}): a SERVER span with every attribute, two {@code ThreadCost} readings on the receiving
 * thread (CPU clock, allocation counter, and with contention monitoring on, blocked and waited
 * times), the GC pause total, the duration and CPU-time histograms, the span ended into the batch
 * span processor's queue.
 *
 * <p>The exchange ({@link FixedHttpExchange}) is the same object every time, with fixed request
 * data ({@link SampleRequest}); the handler sets a response header, sends 200 and a small body.
 * {@link #baseline} is the handler alone: subtract it to get the agent's share. Each iteration is
 * one shot of {@link Batch#SIZE} requests; it checks at its end that every request was exported as
 * a span, and that the last one carries what the agent records; otherwise the benchmark fails.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Batch.SIZE)
@Warmup(iterations = Batch.WARMUP, batchSize = 1)
@Measurement(iterations = Batch.MEASURED, batchSize = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-exports=jdk.httpserver/sun.net.httpserver=ALL-UNNAMED")
public class JdkHttpServerRequestBenchmark {

  /** Whether the request carries a W3C {@code traceparent}: the span joins the caller's trace. */
  @Param({"false", "true"})
  public boolean traceparent;

  /** Reads the {@code traceparent} header of a carrier that is its value. */
  private static final TextMapGetter<String> TRACEPARENT_VALUE =
      new TextMapGetter<String>() {
        @Override
        public Iterable<String> keys(String carrier) {
          return Collections.singletonList("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
          return "traceparent".equals(key) ? carrier : null;
        }
      };

  private AgentSdk sdk;
  private FixedHttpExchange exchange;
  private final ThreadAllocation allocation = new ThreadAllocation();
  private long operations;
  private long requests;
  private long spans;

  /** The agent's SDK and the JDK HTTP server's recorder, as the agent starts them. */
  @Setup(Level.Trial)
  public void start() {
    sdk = new AgentSdk();
    new JdkHttpServerInstrumentationModule().start(new AgentContext(sdk.config, sdk.holder));
    exchange =
        new FixedHttpExchange(
            SampleRequest.PATH + "?" + SampleRequest.QUERY,
            "/api/orders",
            SampleRequest.headers(traceparent));
  }

  @TearDown(Level.Trial)
  public void stop() {
    Bridge.reset();
    sdk.shutdown();
  }

  @Setup(Level.Iteration)
  public void startCounting() {
    operations = 0;
    allocation.start();
  }

  /** The requests of the iteration were exported, and the last as the agent records it. */
  @TearDown(Level.Iteration)
  public void check() {
    allocation.stop(operations);
    long exported = sdk.flush(requests + spans);
    Exported.check(requests + spans, exported);
    if (requests == 0 || operations == 0) {
      return;
    }
    SampleRequest.check(sdk.lastSpan(), SampleRequest.PATH, "/api/orders", traceparent);
  }

  /** What the application's handler does: a header, the status, a small body. */
  private static void handle(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, SampleRequest.BODY.length);
    exchange.getResponseBody().write(SampleRequest.BODY);
    exchange.close();
  }

  /** The handler alone, without the agent; {@link Batch#SIZE} times. */
  @Benchmark
  public void baseline() throws IOException {
    FixedHttpExchange served = exchange;
    for (int i = 0; i < Batch.SIZE; i++) {
      served.reset();
      handle(served);
    }
    operations += Batch.SIZE;
  }

  /**
   * The handler inside the agent's advice, as {@code Filter.Chain.doFilter} runs it; {@link
   * Batch#SIZE} requests.
   */
  @Benchmark
  public void request(ContentionMonitoring contention) throws IOException {
    FixedHttpExchange served = exchange;
    for (int i = 0; i < Batch.SIZE; i++) {
      served.reset();
      Object token = Bridge.jdkHttpServer.onEnter(served);
      handle(served);
      Bridge.jdkHttpServer.onExit(token, served, null);
    }
    operations += Batch.SIZE;
    requests += Batch.SIZE;
  }

  /**
   * The span data alone: the span the agent exports for this request, made with the SDK directly
   * from values at hand (the attributes' values; with a {@code traceparent}, its value, which the
   * W3C propagator parses into the parent's IDs, as the span needs them), with the numbers the
   * agent records boxed as it boxes them. What the SDK allocates here, on this thread and as the
   * processor's worker turns the span into export data, is what the exported span necessarily
   * costs; {@link #request} minus {@link #baseline} minus this is the agent's own share.
   */
  @Benchmark
  public void spanOnly() {
    for (int i = 0; i < Batch.SIZE; i++) {
      Context parent =
          traceparent
              ? W3CTraceContextPropagator.getInstance()
                  .extract(Context.root(), SampleRequest.TRACEPARENT, TRACEPARENT_VALUE)
              : Context.root();
      SampleSpan.record(sdk.telemetry.tracer(), parent, operations + i);
    }
    operations += Batch.SIZE;
    spans += Batch.SIZE;
  }
}
