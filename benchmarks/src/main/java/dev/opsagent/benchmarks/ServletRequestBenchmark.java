/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.servlet.ServletInstrumentationModule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
 * One request through a servlet with the agent's advice, as woven into the outermost {@code
 * service} or {@code doFilter}: {@code Bridge.servlet.onEnter(request, response)}, the servlet's
 * work, {@code onExit(token, request, response, null)}. The hooks are the agent's ({@link
 * ServletInstrumentationModule#start}): the servlet API is called through method handles, and the
 * recorder records as for the JDK HTTP server ({@link JdkHttpServerRequestBenchmark}), on the
 * agent's SDK with export made a no-op.
 *
 * <p>The request and response ({@link FixedServletExchange}, jakarta Servlet 6.0) are the same
 * objects every time: {@code GET /shop/api/orders/42?...} in the web application {@code /shop},
 * mapped to {@code /api/orders/*}, with the headers of {@link SampleRequest}. {@link #baseline} is
 * the servlet's work alone. Each iteration is one shot of {@link Batch#SIZE} requests; it checks
 * that every request was exported as a span, the last one complete, and that the agent called
 * nothing the doubles do not answer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(Batch.SIZE)
@Warmup(iterations = Batch.WARMUP, batchSize = 1)
@Measurement(iterations = Batch.MEASURED, batchSize = 1)
@Fork(1)
public class ServletRequestBenchmark {

  /** Whether the request carries a W3C {@code traceparent}: the span joins the caller's trace. */
  @Param({"false", "true"})
  public boolean traceparent;

  private AgentSdk sdk;
  private FixedServletExchange exchange;
  private final ThreadAllocation allocation = new ThreadAllocation();
  private long operations;
  private long requests;

  /** The agent's SDK and the servlet hooks, as the agent starts them. */
  @Setup(Level.Trial)
  public void start() {
    sdk = new AgentSdk();
    new ServletInstrumentationModule().start(new AgentContext(sdk.config, sdk.holder));
    exchange =
        new FixedServletExchange(
            "/shop", "/api/orders", "/42", SampleRequest.QUERY, SampleRequest.headers(traceparent));
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
    long exported = sdk.flush(requests);
    if (FixedServletExchange.UNEXPECTED_CALLS.get() != 0) {
      throw new IllegalStateException(
          FixedServletExchange.UNEXPECTED_CALLS.get() + " calls the servlet doubles do not answer");
    }
    if (requests == 0 || operations == 0) {
      return;
    }
    Exported.check(requests, exported);
    SampleRequest.check(
        sdk.lastSpan(), "/shop" + SampleRequest.PATH, "/shop/api/orders/*", traceparent);
  }

  /** What the servlet does: the status, the content type, a small body. */
  private static void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setStatus(200);
    response.setContentType("application/json");
    response.getOutputStream().write(SampleRequest.BODY);
  }

  /** The servlet alone, without the agent; {@link Batch#SIZE} times. */
  @Benchmark
  public void baseline() throws IOException {
    FixedServletExchange served = exchange;
    for (int i = 0; i < Batch.SIZE; i++) {
      served.response.next();
      service(served.request, served.response);
    }
    operations += Batch.SIZE;
  }

  /** The servlet inside the agent's advice; {@link Batch#SIZE} requests. */
  @Benchmark
  public void request(ContentionMonitoring contention) throws IOException {
    FixedServletExchange served = exchange;
    for (int i = 0; i < Batch.SIZE; i++) {
      served.response.next();
      Object token = Bridge.servlet.onEnter(served.request, served.response);
      service(served.request, served.response);
      Bridge.servlet.onExit(token, served.request, served.response, null);
    }
    operations += Batch.SIZE;
    requests += Batch.SIZE;
  }
}
