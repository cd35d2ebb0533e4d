/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.config.Config;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.http.HttpServerRecorderTest.FakeAccessor;
import dev.opsagent.instrumentation.http.HttpServerRecorderTest.FakeExchange;
import dev.opsagent.instrumentation.runtime.TestRequest;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Collections;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose server signals its completion apart from the entry point's return, in every
 * order, with the agent's real SDK: it ends exactly once, and the entry point's thread always
 * leaves it.
 */
class RequestCompletionTest {

  private Telemetry telemetry;
  private HttpServerRecorder<FakeExchange> recorder;
  private final EndCountingAccessor accessor = new EndCountingAccessor();
  private final ExecutorService otherThread = Executors.newSingleThreadExecutor();

  @BeforeEach
  void createRecorder() {
    telemetry = HttpServerRecorderTest.createTelemetry(new ByteArrayOutputStream());
    TelemetryHolder holder = new TelemetryHolder();
    holder.set(telemetry);
    HttpCapture capture =
        HttpCapture.from(Config.create(null, new Properties(), Collections.emptyMap()));
    recorder =
        new HttpServerRecorder<>(
            new InstrumentationHealth("fake-server", 10),
            FakeExchange.class,
            accessor,
            holder,
            capture);
  }

  @AfterEach
  void shutdown() throws InterruptedException {
    RequestContext.clearCurrent();
    otherThread.shutdownNow();
    otherThread.awaitTermination(10, TimeUnit.SECONDS);
    telemetry.shutdown(Duration.ofSeconds(10));
  }

  /** Counts the requests the recorder ends: it reads the status once per end. */
  static final class EndCountingAccessor extends FakeAccessor {
    final AtomicInteger ends = new AtomicInteger();

    @Override
    public int statusCode(FakeExchange exchange) {
      ends.incrementAndGet();
      return super.statusCode(exchange);
    }
  }

  private static FakeExchange get() {
    return new FakeExchange().method("GET").scheme("http").path("/work").status(200);
  }

  /** The request being recorded. */
  private Object token;

  /** The recorder's entry, as the server's entry point calls it. */
  private RequestCompletion<FakeExchange> enter(FakeExchange exchange) {
    token = recorder.onEnter(exchange);
    return new RequestCompletion<>(recorder, token, exchange);
  }

  private ReadableSpan span() {
    return (ReadableSpan) ((ServerRequest) token).span;
  }

  @Test
  void completedBeforeTheEntryPointReturnedEndsAsItReturns() {
    RequestCompletion<FakeExchange> completion = enter(get());

    completion.completed(null);
    assertThat(span().hasEnded()).isFalse();
    assertThat(RequestContext.current()).isSameAs(token);
    completion.entryPointReturned(true, null);

    assertThat(span().hasEnded()).isTrue();
    assertThat(accessor.ends).hasValue(1);
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void returnedFirstTheThreadLeavesAndTheCompletionOnAnotherThreadEndsIt() throws Exception {
    RequestCompletion<FakeExchange> completion = enter(get());
    TestRequest.burnCpu(20);

    completion.entryPointReturned(true, null);
    assertThat(RequestContext.current()).isNull();
    assertThat(span().hasEnded()).isFalse();
    otherThread.submit(() -> completion.completed(null)).get();

    SpanData span = HttpServerRecorderTest.exported(((ServerRequest) token).span);
    assertThat(span.hasEnded()).isTrue();
    assertThat(accessor.ends).hasValue(1);
    assertThat(span.getAttributes().get(AttributeKey.longKey("opsagent.cpu_time_own_ns")))
        .as("the receiving thread's part, measured as it returned")
        .isGreaterThanOrEqualTo(20_000_000L);
  }

  @Test
  void failureTheServerSignalsIsRecorded() {
    RequestCompletion<FakeExchange> completion = enter(get().status(0));

    completion.entryPointReturned(true, null);
    completion.completed(new IllegalStateException("handler failed"));

    SpanData span = HttpServerRecorderTest.exported(((ServerRequest) token).span);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo(IllegalStateException.class.getName());
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(500L);
  }

  @Test
  void entryPointThatThrowsEndsTheRequestAndALaterCompletionChangesNothing() {
    RequestCompletion<FakeExchange> completion = enter(get().status(0));

    completion.entryPointReturned(false, new IllegalArgumentException("bad"));
    assertThat(RequestContext.current()).isNull();
    assertThat(span().hasEnded()).isTrue();
    completion.completed(null);

    assertThat(accessor.ends).hasValue(1);
    assertThat(
            HttpServerRecorderTest.exported(((ServerRequest) token).span)
                .getAttributes()
                .get(AttributeKey.stringKey("error.type")))
        .isEqualTo(IllegalArgumentException.class.getName());
  }

  @Test
  void requestNoSignalWillEndEndsAsTheEntryPointReturns() {
    RequestCompletion<FakeExchange> completion = enter(get().status(404));

    completion.entryPointReturned(false, null);

    assertThat(span().hasEnded()).isTrue();
    assertThat(accessor.ends).hasValue(1);
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void completionRacingTheReturnEndsTheRequestExactlyOnce() throws Exception {
    int requests = 300;
    for (int i = 0; i < requests; i++) {
      RequestCompletion<FakeExchange> completion = enter(get());
      CyclicBarrier start = new CyclicBarrier(2);
      Future<?> completing =
          otherThread.submit(
              () -> {
                start.await();
                completion.completed(null);
                return null;
              });
      start.await();
      completion.entryPointReturned(true, null);
      completing.get();

      assertThat(RequestContext.current()).isNull();
      assertThat(span().hasEnded()).as("request %d", i).isTrue();
      assertThat(accessor.ends).as("requests ended after %d", i + 1).hasValue(i + 1);
    }
  }
}
