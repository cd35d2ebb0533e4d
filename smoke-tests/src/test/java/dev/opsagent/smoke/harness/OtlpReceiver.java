package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A real OTLP endpoint (http/protobuf or gRPC) on a free loopback port, plain or over TLS ({@link
 * ReceiverTls}). Requests are decoded with the official opentelemetry-proto classes, so a test sees
 * exactly what a collector would, and the raw bodies are kept so a test can prove a secret never
 * left the application.
 */
public abstract class OtlpReceiver implements AutoCloseable {

  private static final String LOOPBACK = "127.0.0.1";
  private static final String PROTOBUF = "application/x-protobuf";
  private static final int HTTP_THREADS = 4;

  /** Far above any batch the agent sends: the receiver must never be the reason an export fails. */
  private static final int MAX_GRPC_MESSAGE_BYTES = 64 * 1024 * 1024;

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  /** The OTLP signals, by their http path and gRPC method. */
  private enum Signal {
    TRACES(
        "/v1/traces",
        TraceServiceGrpc.getExportMethod(),
        ExportTraceServiceResponse.getDefaultInstance()),
    METRICS(
        "/v1/metrics",
        MetricsServiceGrpc.getExportMethod(),
        ExportMetricsServiceResponse.getDefaultInstance()),
    LOGS(
        "/v1/logs",
        LogsServiceGrpc.getExportMethod(),
        ExportLogsServiceResponse.getDefaultInstance());

    final String httpPath;
    final MethodDescriptor<?, ?> grpcMethod;
    final byte[] response;

    Signal(String httpPath, MethodDescriptor<?, ?> grpcMethod, MessageLite emptyResponse) {
      this.httpPath = httpPath;
      this.grpcMethod = grpcMethod;
      this.response = emptyResponse.toByteArray();
    }

    static Optional<Signal> forHttpPath(String path) {
      return Arrays.stream(values()).filter(signal -> signal.httpPath.equals(path)).findFirst();
    }
  }

  /**
   * A collector's refusal of an export, in the terms of each protocol: the HTTP status (with its
   * {@code Retry-After}, if any) and the gRPC status.
   */
  public enum Refusal {
    /** HTTP 500, gRPC INTERNAL: a failure that trying again does not heal. */
    SERVER_ERROR(500, null, Status.Code.INTERNAL),
    /** HTTP 429 with {@code Retry-After: 1}, gRPC RESOURCE_EXHAUSTED: come back later. */
    TOO_MANY_REQUESTS(429, "1", Status.Code.RESOURCE_EXHAUSTED),
    /** HTTP 503, gRPC UNAVAILABLE: the collector cannot take it now. */
    UNAVAILABLE(503, null, Status.Code.UNAVAILABLE);

    final int httpStatus;
    final String retryAfter;
    final Status.Code grpcStatus;

    Refusal(int httpStatus, String retryAfter, Status.Code grpcStatus) {
      this.httpStatus = httpStatus;
      this.retryAfter = retryAfter;
      this.grpcStatus = grpcStatus;
    }
  }

  private final String protocol;

  /** Null: plain, without TLS. */
  private final ReceiverTls tls;

  private final Object lock = new Object();
  private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private final List<Metric> metrics = new ArrayList<>();
  private final List<String> clientCertificates = new ArrayList<>();
  private int exportRequests;
  private int refusedRequests;
  private volatile Refusal refusal;

  private OtlpReceiver(String protocol, ReceiverTls tls) {
    this.protocol = protocol;
    this.tls = tls;
  }

  /** An OTLP http/protobuf receiver: POST /v1/traces, /v1/metrics and /v1/logs, gzip or not. */
  public static OtlpReceiver startHttp() throws IOException {
    return new HttpReceiver(0, null);
  }

  /** An OTLP http/protobuf receiver over TLS (HTTP/1.1: the JDK's HTTPS server has no HTTP/2). */
  public static OtlpReceiver startHttp(ReceiverTls tls) throws IOException {
    return new HttpReceiver(0, tls);
  }

  /**
   * As {@link #startHttp()}, on {@code port} (0: a free one): a receiver that comes back where the
   * agent knows it.
   */
  public static OtlpReceiver startHttp(int port) throws IOException {
    return new HttpReceiver(port, null);
  }

  /** An OTLP gRPC receiver for the trace, metrics and logs services; gzip is accepted. */
  public static OtlpReceiver startGrpc() throws IOException {
    return new GrpcReceiver(0, null);
  }

  /** An OTLP gRPC receiver over TLS, with the JDK's TLS (no native library). */
  public static OtlpReceiver startGrpc(ReceiverTls tls) throws IOException {
    return new GrpcReceiver(0, tls);
  }

  /** As {@link #startGrpc()}, on {@code port} (0: a free one). */
  public static OtlpReceiver startGrpc(int port) throws IOException {
    return new GrpcReceiver(port, null);
  }

  /**
   * From now on, refuses every trace and metrics export as {@code refusal} says, without keeping
   * what it carried, as an overloaded or failing collector does; {@code null} accepts them again.
   */
  public void refuse(Refusal refusal) {
    this.refusal = refusal;
  }

  /** How many export requests were refused. */
  public int refusedRequests() {
    synchronized (lock) {
      return refusedRequests;
    }
  }

  public abstract int port();

  /** Stops listening at once; requests in flight are dropped. */
  @Override
  public abstract void close();

  /** The base URL to give the exporter, e.g. {@code http://127.0.0.1:4318}, or {@code https:}. */
  public String endpoint() {
    return (tls == null ? "http" : "https") + "://" + LOOPBACK + ":" + port();
  }

  /** The {@code otel.exporter.otlp.protocol} value this receiver speaks. */
  public String protocol() {
    return protocol;
  }

  /** Every span received so far, in arrival order. */
  public List<ReceivedSpan> spans() {
    synchronized (lock) {
      return List.copyOf(spans);
    }
  }

  /**
   * Waits until at least {@code count} received spans match {@code filter} and returns all the
   * matching ones; on timeout the {@link AssertionError} lists every span received, which is
   * usually all that is needed to see why.
   */
  public List<ReceivedSpan> awaitSpans(
      Predicate<ReceivedSpan> filter, int count, Duration timeout) {
    return await(
        timeout,
        () -> {
          List<ReceivedSpan> matching = spans.stream().filter(filter).collect(Collectors.toList());
          return matching.size() >= count ? Optional.of(matching) : Optional.empty();
        },
        () ->
            "expected at least "
                + count
                + " matching span(s) at "
                + endpoint()
                + " within "
                + timeout
                + "; received "
                + spans.size()
                + " span(s):"
                + spans.stream().map(span -> "\n  " + span).collect(Collectors.joining()));
  }

  /** Every metric received so far, in arrival order. */
  public List<Metric> metrics() {
    synchronized (lock) {
      return List.copyOf(metrics);
    }
  }

  /** Waits for a metric with that name and returns the most recently received one. */
  public Metric awaitMetric(String name, Duration timeout) {
    return await(
        timeout,
        () -> lastMetricNamed(name),
        () ->
            "expected metric '"
                + name
                + "' at "
                + endpoint()
                + " within "
                + timeout
                + "; received metrics: "
                + metrics.stream().map(Metric::getName).distinct().collect(Collectors.toList()));
  }

  /**
   * Waits until at least {@code count} received metrics match {@code filter} and returns all the
   * matching ones, in arrival order (each metric export brings its own copy of a metric).
   */
  public List<Metric> awaitMetrics(Predicate<Metric> filter, int count, Duration timeout) {
    return await(
        timeout,
        () -> {
          List<Metric> matching = metrics.stream().filter(filter).collect(Collectors.toList());
          return matching.size() >= count ? Optional.of(matching) : Optional.empty();
        },
        () ->
            "expected at least "
                + count
                + " matching metric(s) at "
                + endpoint()
                + " within "
                + timeout
                + "; received "
                + metrics.size()
                + " metric(s): "
                + metrics.stream().map(Metric::getName).distinct().collect(Collectors.toList()));
  }

  /**
   * Every request body received (traces, metrics and logs), concatenated, exactly as it came off
   * the wire once decompressed: what the agent exported, not what this receiver understood.
   */
  public byte[] receivedBytes() {
    synchronized (lock) {
      return wire.toByteArray();
    }
  }

  /** Whether the UTF-8 encoding of {@code text} occurs anywhere in {@link #receivedBytes()}. */
  public boolean receivedContains(String text) {
    // ISO-8859-1 maps each byte to one char, so this is a byte-exact search.
    return new String(receivedBytes(), ISO_8859_1)
        .contains(new String(text.getBytes(UTF_8), ISO_8859_1));
  }

  /**
   * The subject of the client certificate of each export request that came with one, e.g. {@code
   * CN=opsagent client}.
   */
  public List<String> clientCertificates() {
    synchronized (lock) {
      return List.copyOf(clientCertificates);
    }
  }

  /** Notes the client certificate of a request, if the TLS session has one. */
  private void noteClient(SSLSession session) {
    if (session == null) {
      return;
    }
    try {
      String subject = session.getPeerPrincipal().getName();
      synchronized (lock) {
        clientCertificates.add(subject);
      }
    } catch (SSLPeerUnverifiedException noClientCertificate) {
      // Nothing to note.
    }
  }

  /** How many trace and metrics export requests arrived. */
  public int exportRequests() {
    synchronized (lock) {
      return exportRequests;
    }
  }

  /**
   * The refusal in force for a request of {@code signal}, counted as refused; null if the request
   * is to be received. Log exports are never refused: no test asserts on them.
   */
  private Refusal refusalOf(Signal signal) {
    Refusal current = refusal;
    if (current == null || signal == Signal.LOGS) {
      return null;
    }
    synchronized (lock) {
      refusedRequests++;
    }
    return current;
  }

  /** Records one export request body and returns the serialized response to send back. */
  private byte[] receive(Signal signal, byte[] body) throws InvalidProtocolBufferException {
    synchronized (lock) {
      // Kept before parsing: bytes that reached the receiver count even if malformed.
      wire.writeBytes(body);
      switch (signal) {
        case TRACES -> {
          addSpans(ExportTraceServiceRequest.parseFrom(body));
          exportRequests++;
        }
        case METRICS -> {
          addMetrics(ExportMetricsServiceRequest.parseFrom(body));
          exportRequests++;
        }
        // Checked to be well-formed only: no test asserts on log records.
        case LOGS -> ExportLogsServiceRequest.parseFrom(body);
      }
      lock.notifyAll();
    }
    return signal.response;
  }

  private void addSpans(ExportTraceServiceRequest request) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          spans.add(new ReceivedSpan(span, resourceSpans.getResource(), scopeSpans.getScope()));
        }
      }
    }
  }

  private void addMetrics(ExportMetricsServiceRequest request) {
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        metrics.addAll(scopeMetrics.getMetricsList());
      }
    }
  }

  private Optional<Metric> lastMetricNamed(String name) {
    for (int i = metrics.size() - 1; i >= 0; i--) {
      if (metrics.get(i).getName().equals(name)) {
        return Optional.of(metrics.get(i));
      }
    }
    return Optional.empty();
  }

  /** Re-evaluates {@code attempt} under the lock each time something arrives, until it yields. */
  private <T> T await(Duration timeout, Supplier<Optional<T>> attempt, Supplier<String> failure) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        Optional<T> result = attempt.get();
        if (result.isPresent()) {
          return result.get();
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError(failure.get());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted; " + failure.get(), e);
        }
      }
    }
  }

  private static final class HttpReceiver extends OtlpReceiver {

    private final ExecutorService executor =
        Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads("otlp-http-receiver"));
    private final HttpServer server;

    HttpReceiver(int port, ReceiverTls tls) throws IOException {
      super("http/protobuf", tls);
      server = tls == null ? plain(port) : secure(port, tls);
      server.setExecutor(executor);
      server.createContext("/", this::handle);
      server.start();
    }

    private static HttpServer plain(int port) throws IOException {
      return HttpServer.create(new InetSocketAddress(LOOPBACK, port), 0);
    }

    private static HttpsServer secure(int port, ReceiverTls tls) throws IOException {
      HttpsServer server = HttpsServer.create(new InetSocketAddress(LOOPBACK, port), 0);
      SSLContext context = tls.jdkContext();
      server.setHttpsConfigurator(
          new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters parameters) {
              SSLParameters ssl = context.getDefaultSSLParameters();
              ssl.setNeedClientAuth(tls.requiresClientCertificates());
              parameters.setSSLParameters(ssl);
            }
          });
      return server;
    }

    @Override
    public int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
      awaitStop(() -> executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        if (exchange instanceof HttpsExchange secure) {
          super.noteClient(secure.getSSLSession());
        }
        Optional<Signal> signal = Signal.forHttpPath(exchange.getRequestURI().getPath());
        if (signal.isEmpty()) {
          reply(exchange, 404, "text/plain", "not an OTLP path".getBytes(UTF_8));
          return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
          reply(exchange, 405, "text/plain", "OTLP export requests are POSTs".getBytes(UTF_8));
          return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.split(";")[0].trim().equalsIgnoreCase(PROTOBUF)) {
          reply(exchange, 415, "text/plain", ("expected " + PROTOBUF).getBytes(UTF_8));
          return;
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null
            && !encoding.equalsIgnoreCase("gzip")
            && !encoding.equalsIgnoreCase("identity")) {
          reply(exchange, 415, "text/plain", ("unsupported encoding " + encoding).getBytes(UTF_8));
          return;
        }
        byte[] response;
        try (InputStream body =
            "gzip".equalsIgnoreCase(encoding)
                ? new GZIPInputStream(exchange.getRequestBody())
                : exchange.getRequestBody()) {
          byte[] request = body.readAllBytes();
          Refusal refused = super.refusalOf(signal.get());
          if (refused != null) {
            if (refused.retryAfter != null) {
              exchange.getResponseHeaders().set("Retry-After", refused.retryAfter);
            }
            reply(exchange, refused.httpStatus, "text/plain", refused.name().getBytes(UTF_8));
            return;
          }
          response = super.receive(signal.get(), request);
        } catch (InvalidProtocolBufferException | ZipException e) {
          reply(exchange, 400, "text/plain", String.valueOf(e.getMessage()).getBytes(UTF_8));
          return;
        }
        reply(exchange, 200, PROTOBUF, response);
      }
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body)
        throws IOException {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      // A length of 0 would mean "chunked"; -1 means "no body", which an empty protobuf message is.
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static final class GrpcReceiver extends OtlpReceiver {

    /**
     * Hands the request over undecoded, so {@link #receivedBytes()} holds exactly what was sent.
     */
    private static final MethodDescriptor.Marshaller<byte[]> RAW =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
          }

          @Override
          public byte[] parse(InputStream stream) {
            try {
              return stream.readAllBytes();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };

    private final Server server;

    GrpcReceiver(int port, ReceiverTls tls) throws IOException {
      super("grpc", tls);
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, port))
              .maxInboundMessageSize(MAX_GRPC_MESSAGE_BYTES);
      if (tls != null) {
        builder.sslContext(tls.grpcContext());
      }
      ServerInterceptor clientNotes =
          new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
              GrpcReceiver.super.noteClient(
                  call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
              return next.startCall(call, headers);
            }
          };
      for (Signal signal : Signal.values()) {
        builder.addService(ServerInterceptors.intercept(service(signal), clientNotes));
      }
      server = builder.build().start();
    }

    @Override
    public int port() {
      return server.getPort();
    }

    @Override
    public void close() {
      server.shutdownNow();
      awaitStop(() -> server.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private ServerServiceDefinition service(Signal signal) {
      MethodDescriptor<byte[], byte[]> export = signal.grpcMethod.toBuilder(RAW, RAW).build();
      return ServerServiceDefinition.builder(export.getServiceName())
          .addMethod(
              export,
              ServerCalls.asyncUnaryCall(
                  (body, responses) -> {
                    Refusal refused = super.refusalOf(signal);
                    if (refused != null) {
                      responses.onError(
                          Status.fromCode(refused.grpcStatus)
                              .withDescription(refused.name())
                              .asRuntimeException());
                      return;
                    }
                    try {
                      responses.onNext(super.receive(signal, body));
                      responses.onCompleted();
                    } catch (InvalidProtocolBufferException e) {
                      responses.onError(
                          Status.INVALID_ARGUMENT
                              .withDescription(e.getMessage())
                              .asRuntimeException());
                    }
                  }))
          .build();
    }
  }

  @FunctionalInterface
  private interface Termination {
    boolean await() throws InterruptedException;
  }

  private static void awaitStop(Termination termination) {
    try {
      if (!termination.await()) {
        throw new IllegalStateException("OTLP receiver did not stop within " + STOP_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
