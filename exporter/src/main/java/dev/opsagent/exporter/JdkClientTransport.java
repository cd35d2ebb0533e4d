/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Exports through the JDK's own {@link HttpClient}: for {@code https://} endpoints (HTTP/2 where
 * TLS negotiates it) and through proxies. It sets {@code TCP_NODELAY} on every socket, so a
 * request's last segment never waits for the receiver's delayed ACK.
 */
final class JdkClientTransport implements HttpTransport {

  private static final Logger logger = LoggerFactory.getLogger(JdkClientTransport.class);

  private final URI endpoint;
  private final HttpClient client;
  private final long maxResponseBodySize;

  /** Header names the client refused once: said once, never with their value. */
  private final Set<String> refusedHeaders = ConcurrentHashMap.newKeySet();

  /**
   * @param executor runs the client's own work (the exporting threads)
   */
  JdkClientTransport(HttpSenderConfig config, Executor executor) {
    this.endpoint = config.getEndpoint();
    this.maxResponseBodySize = config.getMaxResponseBodySize();
    this.client = newClient(config, executor);
  }

  private static HttpClient newClient(HttpSenderConfig config, Executor executor) {
    boolean tls = "https".equalsIgnoreCase(config.getEndpoint().getScheme());
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .executor(executor)
            // The JDK client would try an h2c upgrade on plain http, which OTLP receivers do not
            // all understand; over TLS, ALPN picks HTTP/2 or HTTP/1.1.
            .version(tls ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER);
    Duration connectTimeout = config.getConnectTimeout();
    if (connectTimeout != null && !connectTimeout.isZero() && !connectTimeout.isNegative()) {
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
  public Answer post(List<String> fields, byte[] body, int length, long deadlineNanos)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint);
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      header(request, fields.get(i), fields.get(i + 1));
    }
    if (deadlineNanos != Long.MAX_VALUE) {
      request.timeout(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
    }
    request.POST(HttpRequest.BodyPublishers.fromPublisher(new ArrayBody(body, length), length));
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw clear(e);
    }
    return new Answer(
        response.statusCode(),
        read(response.body()),
        response.headers().firstValue("Retry-After").orElse(null));
  }

  /** Older runtimes' clients refuse a few more names than {@link JdkHttpSender} leaves out. */
  private void header(HttpRequest.Builder request, String name, String value) {
    try {
      request.header(name, value);
    } catch (IllegalArgumentException e) {
      // Never the value in the log: headers carry API keys.
      if (refusedHeaders.add(name)) {
        logger.warn(
            "export header {} is not sent: this Java runtime's HTTP client refuses it", name);
      }
    }
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
  private ConnectException clear(ConnectException failure) {
    if (failure.getMessage() != null) {
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
   * {@code HttpClient.shutdownNow()}, Java 21+: stops the client's selector thread. Before, that
   * thread ends by itself once the client is unreachable.
   */
  @Override
  public void close() {
    try {
      Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
      shutdownNow.invoke(client);
    } catch (NoSuchMethodException beforeJava21) {
      // Nothing to call.
    } catch (ReflectiveOperationException | RuntimeException e) {
      logger.debug("could not stop the HTTP client: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "JdkClientTransport{" + endpoint + "}";
  }

  /**
   * The TLS context of a client that only speaks plain HTTP (through a proxy): never used, and
   * nothing to set up. Should it be used all the same, it fails rather than connect without TLS.
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
}
