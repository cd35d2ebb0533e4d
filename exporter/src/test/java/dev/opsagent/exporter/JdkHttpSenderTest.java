/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JDK-only sender under the SDK's real OTLP http exporter, against a real HTTP receiver (the
 * JDK's own server) on loopback: what goes over the wire, retries, time limits, failures and
 * threads.
 */
class JdkHttpSenderTest {

  private static final String SPAN_NAME = "GET /sender-test";

  /** One request as the receiver saw it. */
  private static final class Request {
    final String protocol;
    final Headers headers;
    final byte[] body;
    final long atNanos;

    Request(String protocol, Headers headers, byte[] body) {
      this.protocol = protocol;
      this.headers = headers;
      this.body = body;
      this.atNanos = System.nanoTime();
    }

    boolean contains(String text) {
      return new String(body, ISO_8859_1).contains(text);
    }
  }

  private final ConcurrentLinkedQueue<Consumer<HttpExchange>> answers =
      new ConcurrentLinkedQueue<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService receiverThreads = Executors.newFixedThreadPool(4);
  private HttpServer receiver;
  private SpanExporter exporter;

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(receiverThreads);
    receiver.createContext("/v1/traces", this::receive);
    receiver.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (exporter != null) {
      exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
    receiver.stop(0);
    receiverThreads.shutdownNow();
    receiverThreads.awaitTermination(5, TimeUnit.SECONDS);
  }

  private void receive(HttpExchange exchange) throws IOException {
    try {
      byte[] body;
      try (InputStream in =
          "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
              ? new GZIPInputStream(exchange.getRequestBody())
              : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      requests.add(new Request(exchange.getProtocol(), exchange.getRequestHeaders(), body));
      Consumer<HttpExchange> answer = answers.poll();
      if (answer != null) {
        answer.accept(exchange);
      } else {
        answer(exchange, 200);
      }
    } finally {
      exchange.close();
    }
  }

  private static void answer(HttpExchange exchange, int status) {
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(status, -1);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Consumer<HttpExchange> unavailable(String retryAfter) {
    return exchange -> {
      if (retryAfter != null) {
        exchange.getResponseHeaders().set("Retry-After", retryAfter);
      }
      answer(exchange, 503);
    };
  }

  private String traces() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
  }

  private static OtlpHttpSpanExporterBuilder builder(String endpoint) {
    return OtlpHttpSpanExporter.builder()
        .setComponentLoader(HttpSenders.create())
        .setEndpoint(endpoint)
        .setRetryPolicy(null);
  }

  static Collection<SpanData> spans() {
    EndedSpans ended = new EndedSpans();
    try (SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(ended).build()) {
      tracing.get("test").spanBuilder(SPAN_NAME).startSpan().end();
    }
    return ended.spans();
  }

  private CompletableResultCode export(SpanExporter exporter) {
    this.exporter = exporter;
    return exporter.export(spans()).join(20, TimeUnit.SECONDS);
  }

  private static Throwable cause(CompletableResultCode result) {
    assertThat(result.isSuccess()).as("export succeeded").isFalse();
    Throwable failure = result.getFailureThrowable();
    assertThat(failure).as("failure reported to the SDK").isNotNull();
    return failure.getCause() != null ? failure.getCause() : failure;
  }

  @Test
  void sendsGzipWithTheConfiguredHeadersOverHttp11() {
    CompletableResultCode result =
        export(
            builder(traces())
                .setCompression("gzip")
                .addHeader("x-api-key", "s3cret")
                .addHeader("x-tenant", "blue")
                .build());

    assertThat(result.isSuccess()).isTrue();
    assertThat(requests).hasSize(1);
    Request request = requests.get(0);
    assertThat(request.protocol).isEqualTo("HTTP/1.1");
    assertThat(request.headers.getFirst("Content-Encoding")).isEqualTo("gzip");
    assertThat(request.headers.getFirst("Content-Type")).isEqualTo("application/x-protobuf");
    assertThat(request.headers.getFirst("X-api-key")).isEqualTo("s3cret");
    assertThat(request.headers.getFirst("X-tenant")).isEqualTo("blue");
    assertThat(request.headers.getFirst("User-Agent")).startsWith("OTel-OTLP-Exporter-Java/");
    assertThat(request.headers.containsKey("Upgrade")).as("no h2c upgrade").isFalse();
    assertThat(request.contains(SPAN_NAME)).as("the span, decompressed").isTrue();
  }

  @Test
  void sendsUncompressedByDefault() {
    assertThat(export(builder(traces()).build()).isSuccess()).isTrue();

    Request request = requests.get(0);
    assertThat(request.headers.containsKey("Content-Encoding")).isFalse();
    assertThat(request.headers.getFirst("Content-Length"))
        .isEqualTo(String.valueOf(request.body.length));
    assertThat(request.contains(SPAN_NAME)).isTrue();
  }

  @Test
  void leavesOutHeadersTheClientSetsItselfAndStillExports() {
    CompletableResultCode result =
        export(builder(traces()).addHeader("Host", "elsewhere").addHeader("x-ok", "1").build());

    assertThat(result.isSuccess()).isTrue();
    Request request = requests.get(0);
    assertThat(request.headers.getFirst("Host")).isNotEqualTo("elsewhere");
    assertThat(request.headers.getFirst("X-ok")).isEqualTo("1");
  }

  @Test
  void triesAgainAfterTheRetryAfterOfA503() {
    answers.add(unavailable("1"));
    RetryPolicy slowBackOff =
        RetryPolicy.builder()
            .setMaxAttempts(3)
            .setInitialBackoff(Duration.ofSeconds(5))
            .setMaxBackoff(Duration.ofSeconds(5))
            .build();

    CompletableResultCode result =
        export(
            builder(traces())
                .setRetryPolicy(slowBackOff)
                .setTimeout(Duration.ofSeconds(15))
                .build());

    assertThat(result.isSuccess()).isTrue();
    assertThat(requests).hasSize(2);
    long pause = requests.get(1).atNanos - requests.get(0).atNanos;
    // Retry-After's 1 s, not the policy's back-off of 4 to 6 s.
    assertThat(Duration.ofNanos(pause)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
    assertThat(requests.get(1).contains(SPAN_NAME)).as("the same message again").isTrue();
  }

  @Test
  void backsOffByThePolicyWithoutRetryAfter() {
    answers.add(unavailable(null));
    answers.add(exchange -> answer(exchange, 502));
    RetryPolicy quick =
        RetryPolicy.builder().setMaxAttempts(5).setInitialBackoff(Duration.ofMillis(100)).build();

    CompletableResultCode result = export(builder(traces()).setRetryPolicy(quick).build());

    assertThat(result.isSuccess()).isTrue();
    assertThat(requests).hasSize(3);
  }

  @Test
  void reportsTheLastAnswerWhenTheAttemptsRunOut() {
    for (int i = 0; i < 3; i++) {
      answers.add(unavailable("0"));
    }
    RetryPolicy twice = RetryPolicy.builder().setMaxAttempts(2).build();

    CompletableResultCode result = export(builder(traces()).setRetryPolicy(twice).build());

    assertThat(requests).hasSize(2);
    assertThat(result.isSuccess()).isFalse();
    assertThat(ExportHealth.describe(result.getFailureThrowable()))
        .isEqualTo("the receiver answered HTTP 503");
  }

  @Test
  void givesUpAtOnceWhenRetryAfterIsBeyondTheTimeLimit() {
    answers.add(unavailable("60"));
    long start = System.nanoTime();

    CompletableResultCode result =
        export(
            builder(traces())
                .setRetryPolicy(RetryPolicy.getDefault())
                .setTimeout(Duration.ofSeconds(5))
                .build());

    assertThat(result.isSuccess()).isFalse();
    assertThat(requests).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void doesNotRetryAClientError() {
    answers.add(exchange -> answer(exchange, 400));

    CompletableResultCode result =
        export(builder(traces()).setRetryPolicy(RetryPolicy.getDefault()).build());

    assertThat(result.isSuccess()).isFalse();
    assertThat(requests).hasSize(1);
  }

  @Test
  void saysWhereARefusedConnectionWasRefused() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }

    Throwable cause = cause(export(builder("http://127.0.0.1:" + port + "/v1/traces").build()));

    assertThat(cause)
        .isInstanceOf(ConnectException.class)
        .hasMessage("cannot connect to 127.0.0.1:" + port + " (connection refused)");
  }

  @Test
  void saysWhenTheHostIsUnknown() {
    Throwable cause = cause(export(builder("http://no-such-host.invalid:4318/v1/traces").build()));

    assertThat(cause)
        .isInstanceOf(ConnectException.class)
        .hasMessage("unknown host no-such-host.invalid");
  }

  @Test
  void endsAnExportThatOutlastsItsTimeLimit() {
    answers.add(
        exchange -> {
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(exchange, 200);
        });
    long start = System.nanoTime();

    Throwable cause = cause(export(builder(traces()).setTimeout(Duration.ofMillis(500)).build()));

    assertThat(cause).isInstanceOf(SocketTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  void exportsOnDaemonThreadsNamedAfterTheAgentWhichShutdownStops() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    assertThat(export(builder(traces()).build()).isSuccess()).isTrue();

    List<Thread> exportThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> !before.contains(thread))
            .filter(thread -> thread.getName().startsWith("opsagent-export-"))
            .collect(Collectors.toList());
    assertThat(exportThreads).isNotEmpty().allMatch(Thread::isDaemon);

    exporter.shutdown().join(5, TimeUnit.SECONDS);
    exporter = null;
    for (Thread thread : exportThreads) {
      thread.join(5_000);
      assertThat(thread.isAlive()).as("%s after shutdown", thread.getName()).isFalse();
    }
  }
}
