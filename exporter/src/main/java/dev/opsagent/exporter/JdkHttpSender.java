/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends OTLP http/protobuf exports with the JDK alone: no OkHttp, Okio or Kotlin to load. Plain
 * {@code http://} endpoints get HTTP/1.1 over the agent's own kept-alive connections ({@link
 * SocketHttpTransport}); TLS and proxies go through the JDK's {@code HttpClient} ({@link
 * JdkClientTransport}). Both set {@code TCP_NODELAY}, so a request's last segment never waits for
 * the receiver's delayed ACK.
 *
 * <p>Each export runs on a thread of its own executor ({@code opsagent-export-N}, daemon): it
 * writes the message (gzip if configured), sends it, tries again as the SDK's {@link RetryPolicy}
 * says (honouring {@code Retry-After}), all within the export's time limit, and reports the
 * receiver's answer or the failure to the SDK.
 */
final class JdkHttpSender implements HttpSender {

  private static final Logger logger = LoggerFactory.getLogger(JdkHttpSender.class);

  /** The transports set these themselves, from the request. */
  private static final Set<String> RESTRICTED_HEADERS =
      Set.of(
          "connection", "content-length", "expect", "host", "te", "transfer-encoding", "upgrade");

  private static final AtomicInteger EXECUTORS = new AtomicInteger();

  private final URI endpoint;
  private final String contentType;
  private final Compressor compressor;
  private final Duration timeout;
  private final Supplier<Map<String, List<String>>> headers;
  private final RetryPolicy retryPolicy;
  private final ExecutorService executor;
  private final boolean ownExecutor;
  private final HttpTransport transport;

  /** Header names refused once: said once, never with their value. */
  private final Set<String> refusedHeaders = ConcurrentHashMap.newKeySet();

  JdkHttpSender(HttpSenderConfig config) {
    this.endpoint = config.getEndpoint();
    this.contentType = config.getContentType();
    this.compressor = config.getCompressor();
    this.timeout = positiveOrNull(config.getTimeout());
    this.headers = config.getHeadersSupplier();
    this.retryPolicy = config.getRetryPolicy();
    ExecutorService given = config.getExecutorService();
    this.ownExecutor = given == null;
    this.executor = given != null ? given : newExecutor();
    this.transport =
        SocketHttpTransport.reaches(config)
            ? new SocketHttpTransport(
                endpoint, config.getConnectTimeout(), config.getMaxResponseBodySize())
            : new JdkClientTransport(config, executor);
  }

  /**
   * Daemon threads named {@code opsagent-export-N}, created when an export needs one and ended
   * after a minute idle, or by {@link #shutdown()}.
   */
  private static ExecutorService newExecutor() {
    String prefix = "opsagent-export-" + EXECUTORS.incrementAndGet() + "-";
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        task -> {
          Thread thread = new Thread(task, prefix + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    return new ThreadPoolExecutor(
        0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
  }

  @Override
  public void send(
      MessageWriter message, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
    try {
      executor.execute(() -> export(message, onResponse, onError));
    } catch (RejectedExecutionException e) {
      onError.accept(new IOException("the exporter is shut down", e));
    }
  }

  private void export(
      MessageWriter message, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
    HttpResponse response;
    long start = System.nanoTime();
    try {
      response = exchange(message, start);
    } catch (IOException | RuntimeException e) {
      onError.accept(e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      onError.accept(new InterruptedIOException("export interrupted: the exporter is stopping"));
      return;
    }
    if (logger.isTraceEnabled()) {
      logger.trace(
          "export of {} B to {} answered {} in {} ms",
          message.getContentLength(),
          endpoint,
          response.getStatusCode(),
          String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e6));
    }
    onResponse.accept(response);
  }

  /**
   * Writes (and compresses) the message once, sends it, and tries again while the retry policy and
   * the export's time limit allow.
   */
  private HttpResponse exchange(MessageWriter message, long startNanos)
      throws IOException, InterruptedException {
    List<String> fields = fields();
    byte[] body;
    int length;
    if (compressor == null && message instanceof OtlpProtobufSpanExporter.EncodedMessage) {
      // Kept unchanged by its exporter until this export's outcome is known.
      body = ((OtlpProtobufSpanExporter.EncodedMessage) message).array();
      length = message.getContentLength();
    } else if (compressor == null) {
      body = new byte[message.getContentLength()];
      FixedArrayOutputStream out = new FixedArrayOutputStream(body);
      message.writeMessage(out);
      length = out.count;
    } else {
      fields.add("Content-Encoding");
      fields.add(compressor.getEncoding());
      ExposedByteArrayOutputStream out =
          new ExposedByteArrayOutputStream(Math.max(64, message.getContentLength() / 4));
      try (OutputStream compressed = compressor.compress(out)) {
        message.writeMessage(compressed);
      }
      body = out.buffer();
      length = out.size();
    }
    long deadline = timeout == null ? Long.MAX_VALUE : startNanos + timeout.toNanos();
    RetrySchedule retries = new RetrySchedule(retryPolicy, deadline);
    while (true) {
      retries.attempt();
      try {
        HttpTransport.Answer answer = transport.post(fields, body, length, deadline);
        if (!retries.canRetry(answer.getStatusCode())) {
          return answer;
        }
        long delay =
            retries.nextDelayNanos(
                RetrySchedule.retryAfterNanos(answer.retryAfter(), Instant.now()));
        if (delay < 0) {
          return answer;
        }
        logger.debug(
            "export answered {}: trying again in {} ms", answer.getStatusCode(), millis(delay));
        TimeUnit.NANOSECONDS.sleep(delay);
      } catch (IOException e) {
        if (!retries.canRetry(e)) {
          throw e;
        }
        long delay = retries.nextDelayNanos(-1);
        if (delay < 0) {
          throw e;
        }
        logger.debug("export failed ({}): trying again in {} ms", e.toString(), millis(delay));
        TimeUnit.NANOSECONDS.sleep(delay);
      }
    }
  }

  /** The configured headers HTTP can carry and the transports leave to the sender, and the type. */
  private List<String> fields() {
    List<String> fields = new ArrayList<>();
    Map<String, List<String>> values = headers.get();
    if (values != null) {
      values.forEach(
          (name, list) -> {
            for (String value : list) {
              if (sendable(name, value)) {
                fields.add(name);
                fields.add(value);
              }
            }
          });
    }
    fields.add("Content-Type");
    fields.add(contentType);
    return fields;
  }

  private boolean sendable(String name, String value) {
    if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      if (refusedHeaders.add(name)) {
        logger.warn("export header {} is not sent: the HTTP client sets it itself", name);
      }
      return false;
    }
    if (!OtlpSettings.isToken(name) || !OtlpSettings.isFieldValue(value)) {
      // Never the value in the log: headers carry API keys.
      if (refusedHeaders.add(name)) {
        logger.warn("export header {} is not sent: its name or value is not valid in HTTP", name);
      }
      return false;
    }
    return true;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /**
   * Stops the export threads (an export still running is interrupted and reported as failed: the
   * SDK flushed before it shuts the sender down) and closes the transport's connections. An
   * executor given in the configuration is the caller's to stop.
   */
  @Override
  public CompletableResultCode shutdown() {
    if (ownExecutor) {
      executor.shutdownNow();
    }
    transport.close();
    return CompletableResultCode.ofSuccess();
  }

  private static Duration positiveOrNull(Duration duration) {
    return duration == null || duration.isZero() || duration.isNegative() ? null : duration;
  }

  @Override
  public String toString() {
    return "JdkHttpSender{" + transport + "}";
  }

  /** Writes into an array of the message's announced size: no copy for the request body. */
  private static final class FixedArrayOutputStream extends OutputStream {
    private final byte[] target;
    private int count;

    FixedArrayOutputStream(byte[] target) {
      this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
      if (count >= target.length) {
        throw new IOException("the message is longer than its announced " + target.length + " B");
      }
      target[count++] = (byte) b;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (length > target.length - count) {
        throw new IOException("the message is longer than its announced " + target.length + " B");
      }
      System.arraycopy(bytes, offset, target, count, length);
      count += length;
    }
  }

  /** A byte array stream whose buffer is sent as it is, without the copy of toByteArray(). */
  private static final class ExposedByteArrayOutputStream extends ByteArrayOutputStream {
    ExposedByteArrayOutputStream(int size) {
      super(size);
    }

    byte[] buffer() {
      return buf;
    }
  }
}
