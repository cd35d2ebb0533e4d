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
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends OTLP http/protobuf exports with the JDK's own {@link HttpClient}: no OkHttp, Okio or Kotlin
 * to load, and connections with {@code TCP_NODELAY} set (the JDK client sets it on every socket),
 * so a request's last segment never waits for the receiver's delayed ACK.
 *
 * <p>Each export runs on a thread of its own executor ({@code opsagent-export-N}, daemon), which is
 * also the client's executor: it writes the message (gzip if configured), sends it, tries again as
 * the SDK's {@link RetryPolicy} says (honouring {@code Retry-After}), all within the export's time
 * limit, and reports the receiver's answer or the failure to the SDK. HTTP/1.1 to {@code http:}
 * endpoints (no h2c upgrade attempt), HTTP/2 where TLS negotiates it.
 */
final class JdkHttpSender implements HttpSender {

  private static final Logger logger = LoggerFactory.getLogger(JdkHttpSender.class);

  /** The JDK client refuses to set these: it sets them itself. */
  private static final Set<String> RESTRICTED_HEADERS =
      Set.of("connection", "content-length", "expect", "host", "upgrade");

  private static final AtomicInteger EXECUTORS = new AtomicInteger();

  private final URI endpoint;
  private final String contentType;
  private final Compressor compressor;
  private final Duration timeout;
  private final Supplier<Map<String, List<String>>> headers;
  private final RetryPolicy retryPolicy;
  private final long maxResponseBodySize;
  private final ExecutorService executor;
  private final boolean ownExecutor;
  private final HttpClient client;

  /** Header names refused once: said once, never with their value. */
  private final Set<String> refusedHeaders = ConcurrentHashMap.newKeySet();

  JdkHttpSender(HttpSenderConfig config) {
    this.endpoint = config.getEndpoint();
    this.contentType = config.getContentType();
    this.compressor = config.getCompressor();
    this.timeout = positiveOrNull(config.getTimeout());
    this.headers = config.getHeadersSupplier();
    this.retryPolicy = config.getRetryPolicy();
    this.maxResponseBodySize = config.getMaxResponseBodySize();
    ExecutorService given = config.getExecutorService();
    this.ownExecutor = given == null;
    this.executor = given != null ? given : newExecutor();
    this.client = newClient(config, executor);
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

  private static HttpClient newClient(HttpSenderConfig config, ExecutorService executor) {
    boolean tls = "https".equalsIgnoreCase(config.getEndpoint().getScheme());
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .executor(executor)
            // The JDK client would try an h2c upgrade on plain http, which OTLP receivers do not
            // all understand; over TLS, ALPN picks HTTP/2 or HTTP/1.1.
            .version(tls ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER);
    Duration connectTimeout = positiveOrNull(config.getConnectTimeout());
    if (connectTimeout != null) {
      builder.connectTimeout(connectTimeout);
    }
    // As OkHttp did: the configured proxy, else the JVM's (http.proxyHost, https.proxyHost,
    // http.nonProxyHosts), which the JDK client, unlike OkHttp, does not use by default.
    ProxySelector proxy =
        config.getProxyOptions() != null
            ? config.getProxyOptions().getProxySelector()
            : ProxySelector.getDefault();
    if (proxy != null) {
      builder.proxy(proxy);
    }
    if (!tls) {
      // The client would otherwise initialise the JVM's default TLS context (JSSE, the trust
      // store) it never uses here: about 300 ms of the agent's start-up on this project's
      // machines, against 80 ms for the whole client without it.
      builder.sslContext(new NoTls()).sslParameters(new SSLParameters());
    } else {
      if (config.getSslContext() != null) {
        builder.sslContext(config.getSslContext());
      }
      List<String> protocols = config.getEnabledProtocols();
      if (protocols != null && !protocols.isEmpty()) {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(protocols.toArray(new String[0]));
        builder.sslParameters(parameters);
      }
    }
    return builder.build();
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
      response = exchange(request(message));
    } catch (IOException | RuntimeException e) {
      onError.accept(clear(e));
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

  /** The request, message written (and compressed) once for every attempt. */
  private HttpRequest.Builder request(MessageWriter message) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint);
    Map<String, List<String>> values = headers.get();
    if (values != null) {
      values.forEach((name, list) -> list.forEach(value -> header(request, name, value)));
    }
    request.setHeader("Content-Type", contentType);
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
      request.setHeader("Content-Encoding", compressor.getEncoding());
      ExposedByteArrayOutputStream out =
          new ExposedByteArrayOutputStream(Math.max(64, message.getContentLength() / 4));
      try (OutputStream compressed = compressor.compress(out)) {
        message.writeMessage(compressed);
      }
      body = out.buffer();
      length = out.size();
    }
    return request.POST(
        HttpRequest.BodyPublishers.fromPublisher(new ArrayBody(body, length), length));
  }

  private void header(HttpRequest.Builder request, String name, String value) {
    if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      if (refusedHeaders.add(name)) {
        logger.warn("export header {} is not sent: the HTTP client sets it itself", name);
      }
      return;
    }
    try {
      request.header(name, value);
    } catch (IllegalArgumentException e) {
      // Never the value in the log: headers carry API keys.
      if (refusedHeaders.add(name)) {
        logger.warn("export header {} is not sent: its name or value is not valid in HTTP", name);
      }
    }
  }

  /** Sends, and tries again while the retry policy and the export's time limit allow. */
  private HttpResponse exchange(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    RetrySchedule retries =
        new RetrySchedule(
            retryPolicy, timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos());
    while (true) {
      retries.attempt();
      Duration remaining = retries.remaining();
      if (remaining != null) {
        request.timeout(remaining);
      }
      long retryAfter;
      try {
        java.net.http.HttpResponse<InputStream> response =
            client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        Received received = new Received(response.statusCode(), read(response.body()));
        if (!retries.canRetry(received.status)) {
          return received;
        }
        retryAfter =
            RetrySchedule.retryAfterNanos(
                response.headers().firstValue("Retry-After").orElse(null), Instant.now());
        long delay = retries.nextDelayNanos(retryAfter);
        if (delay < 0) {
          return received;
        }
        logger.debug("export answered {}: trying again in {} ms", received.status, millis(delay));
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

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /**
   * The answer's body, for the SDK's error message; beyond the configured limit the rest is left
   * unread (the status decides the outcome, the body only explains a failure).
   */
  private byte[] read(InputStream body) throws IOException {
    try (InputStream in = body) {
      int limit = (int) Math.min(Math.max(maxResponseBodySize, 0), Integer.MAX_VALUE - 8);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int read;
      while (out.size() < limit && (read = in.read(buffer, 0, buffer.length)) >= 0) {
        out.write(buffer, 0, Math.min(read, limit - out.size()));
      }
      return out.toByteArray();
    }
  }

  /**
   * The JDK client reports a refused connection and an unknown host as a {@link ConnectException}
   * without a message; the operator's log line needs to say which and where.
   */
  private Exception clear(Exception failure) {
    if (!(failure instanceof ConnectException) || failure.getMessage() != null) {
      return failure;
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String where = endpoint.getHost() + ":" + port(endpoint);
    String why =
        root instanceof UnresolvedAddressException
            ? "unknown host " + endpoint.getHost()
            : root.getMessage() != null
                ? "cannot connect to " + where + ": " + root.getMessage()
                : "cannot connect to " + where + " (connection refused)";
    ConnectException clear = new ConnectException(why);
    clear.initCause(failure);
    return clear;
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /**
   * Stops the export threads (an export still running is interrupted and reported as failed: the
   * SDK flushed before it shuts the sender down) and, on Java 21 and newer, the client's own
   * selector thread. An executor given in the configuration is the caller's to stop.
   */
  @Override
  public CompletableResultCode shutdown() {
    if (ownExecutor) {
      executor.shutdownNow();
    }
    stopClient(client);
    return CompletableResultCode.ofSuccess();
  }

  /**
   * {@code HttpClient.shutdownNow()}, Java 21+. Before, the client's selector thread ends by itself
   * once the client is unreachable.
   */
  private static void stopClient(HttpClient client) {
    try {
      Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
      shutdownNow.invoke(client);
    } catch (NoSuchMethodException beforeJava21) {
      // Nothing to call.
    } catch (ReflectiveOperationException | RuntimeException e) {
      logger.debug("could not stop the HTTP client: {}", e.toString());
    }
  }

  private static Duration positiveOrNull(Duration duration) {
    return duration == null || duration.isZero() || duration.isNegative() ? null : duration;
  }

  @Override
  public String toString() {
    return "JdkHttpSender{" + endpoint + "}";
  }

  /**
   * The TLS context of a client that only speaks plain HTTP: never used, and nothing to set up.
   * Should it be used all the same, it fails rather than connect without TLS.
   */
  private static final class NoTls extends SSLContext {
    NoTls() {
      super(new Spi(), null, "none");
    }

    private static final class Spi extends SSLContextSpi {
      private static IllegalStateException unused() {
        return new IllegalStateException("no TLS for a plain http:// OTLP endpoint");
      }

      @Override
      protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random) {}

      @Override
      protected SSLSocketFactory engineGetSocketFactory() {
        throw unused();
      }

      @Override
      protected SSLServerSocketFactory engineGetServerSocketFactory() {
        throw unused();
      }

      @Override
      protected SSLEngine engineCreateSSLEngine() {
        throw unused();
      }

      @Override
      protected SSLEngine engineCreateSSLEngine(String host, int port) {
        throw unused();
      }

      @Override
      protected SSLSessionContext engineGetServerSessionContext() {
        throw unused();
      }

      @Override
      protected SSLSessionContext engineGetClientSessionContext() {
        throw unused();
      }
    }
  }

  /** The receiver's answer, as the SDK reads it. */
  private static final class Received implements HttpResponse {
    private final int status;
    private final byte[] body;

    Received(int status, byte[] body) {
      this.status = status;
      this.body = body;
    }

    @Override
    public int getStatusCode() {
      return status;
    }

    /** HTTP/2 has no reason phrase, and the JDK client gives none for HTTP/1.1 either. */
    @Override
    public String getStatusMessage() {
      return String.valueOf(status);
    }

    @Override
    public byte[] getResponseBody() {
      return body;
    }
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

  /**
   * The message as the request's body, sent from its array: {@code BodyPublishers.ofByteArray}
   * copies it into new buffers first, which doubled what an export allocates (measured: ~1.4 KB per
   * span exported, 620 B of it the message). Each subscription, one per attempt, gets the whole
   * array in one read-only buffer.
   */
  private static final class ArrayBody implements Flow.Publisher<ByteBuffer> {
    private final byte[] bytes;
    private final int length;

    ArrayBody(byte[] bytes, int length) {
      this.bytes = bytes;
      this.length = length;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            private final AtomicBoolean done = new AtomicBoolean();

            @Override
            public void request(long n) {
              if (n <= 0) {
                if (done.compareAndSet(false, true)) {
                  subscriber.onError(
                      new IllegalArgumentException("a subscriber must request at least 1"));
                }
              } else if (done.compareAndSet(false, true)) {
                subscriber.onNext(ByteBuffer.wrap(bytes, 0, length).asReadOnlyBuffer());
                subscriber.onComplete();
              }
            }

            @Override
            public void cancel() {
              done.set(true);
            }
          });
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
