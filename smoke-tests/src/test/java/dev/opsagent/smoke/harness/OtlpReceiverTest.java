package dev.opsagent.smoke.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both receivers, fed by real OTLP clients built on the same official classes. */
class OtlpReceiverTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String PARENT_SPAN_ID = "eee19b7ec3c1b174";
  private static final String CHILD_SPAN_ID = "00f067aa0ba902b7";
  private static final String SECRET = "s3cr3t-t0k3n";
  private static final String METRIC = "opsagent.test.requests";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();

  /** The two transports, each with a client that exports the way an OTLP exporter does. */
  enum Protocol {
    HTTP_PROTOBUF {
      @Override
      OtlpReceiver start() throws IOException {
        return OtlpReceiver.startHttp();
      }

      @Override
      Exporter exporterFor(OtlpReceiver receiver) {
        return new HttpExporter(receiver.endpoint());
      }
    },
    GRPC {
      @Override
      OtlpReceiver start() throws IOException {
        return OtlpReceiver.startGrpc();
      }

      @Override
      Exporter exporterFor(OtlpReceiver receiver) {
        return new GrpcExporter(receiver.port());
      }
    };

    abstract OtlpReceiver start() throws IOException;

    abstract Exporter exporterFor(OtlpReceiver receiver);
  }

  interface Exporter extends AutoCloseable {
    void export(ExportTraceServiceRequest request) throws Exception;

    void export(ExportMetricsServiceRequest request) throws Exception;

    void export(ExportLogsServiceRequest request) throws Exception;

    @Override
    void close();
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void decodesSpansWithTheirResourceAndScope(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      exporter.export(traces());

      ReceivedSpan child =
          receiver.awaitSpans(span -> span.name().equals("SELECT orders"), 1, TIMEOUT).get(0);
      assertThat(child.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
      assertThat(child.attr("db.system")).isEqualTo("postgresql");
      assertThat(child.attr("db.rows")).isEqualTo("42");
      assertThat(child.longAttr("db.rows")).isEqualTo(42L);
      assertThat(child.longAttr("db.system")).isNull();
      assertThat(child.attr("db.cache.hit_ratio")).isEqualTo("0.5");
      assertThat(child.attr("db.cached")).isEqualTo("true");
      assertThat(child.arrayAttr("db.tables")).containsExactly("orders", "customers");
      assertThat(child.attr("db.tables")).isNull();
      assertThat(child.attr("absent")).isNull();
      assertThat(child.resourceAttr("service.name")).isEqualTo("checkout");
      assertThat(child.scope().getName()).isEqualTo("dev.opsagent.test");
      assertThat(child.traceIdHex()).isEqualTo(TRACE_ID);
      assertThat(child.spanIdHex()).isEqualTo(CHILD_SPAN_ID);
      assertThat(child.parentSpanIdHex()).isEqualTo(PARENT_SPAN_ID);

      ReceivedSpan parent =
          receiver.awaitSpans(span -> span.name().equals("GET /orders"), 1, TIMEOUT).get(0);
      assertThat(parent.parentSpanIdHex()).isEmpty();
      assertThat(receiver.spans())
          .extracting(ReceivedSpan::name)
          .containsExactly("GET /orders", "SELECT orders");
      assertThat(receiver.protocol())
          .isEqualTo(protocol == Protocol.GRPC ? "grpc" : "http/protobuf");
      assertThat(receiver.endpoint()).isEqualTo("http://127.0.0.1:" + receiver.port());
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void keepsEveryBodyExactlyAsSent(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      exporter.export(traces());
      exporter.export(metrics(3));
      exporter.export(logs());

      assertThat(receiver.receivedBytes()).isEqualTo(concat(traces(), metrics(3), logs()));
      assertThat(receiver.receivedContains(SECRET)).isTrue();
      assertThat(receiver.receivedContains("a log line")).isTrue();
      assertThat(receiver.receivedContains("never sent")).isFalse();
      assertThat(receiver.exportRequests()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void awaitMetricReturnsTheLatestPoint(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      exporter.export(metrics(3));
      exporter.export(metrics(5));

      Metric metric = receiver.awaitMetric(METRIC, TIMEOUT);
      assertThat(metric.getSum().getDataPoints(0).getAsInt()).isEqualTo(5);
      assertThat(receiver.metrics()).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void awaitMetricsWaitsForEnoughMatchingMetrics(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      CompletableFuture<List<Metric>> awaiting =
          CompletableFuture.supplyAsync(
              () ->
                  receiver.awaitMetrics(
                      metric -> metric.getSum().getDataPoints(0).getAsInt() >= 3, 2, TIMEOUT));

      exporter.export(metrics(1));
      exporter.export(metrics(3));
      exporter.export(metrics(5));

      assertThat(awaiting.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
          .extracting(metric -> metric.getSum().getDataPoints(0).getAsInt())
          .containsExactly(3L, 5L);
      assertThatThrownBy(() -> receiver.awaitMetrics(metric -> true, 4, Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("received 3 metric(s)");
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void awaitSpansWaitsForSpansStillToCome(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      CompletableFuture<List<ReceivedSpan>> awaiting =
          CompletableFuture.supplyAsync(() -> receiver.awaitSpans(span -> true, 2, TIMEOUT));

      exporter.export(traces());

      assertThat(awaiting.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).hasSize(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void timeoutsListWhatWasReceived(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        Exporter exporter = protocol.exporterFor(receiver)) {
      exporter.export(traces());
      exporter.export(metrics(3));

      assertThatThrownBy(
              () ->
                  receiver.awaitSpans(
                      span -> span.name().equals("POST /pay"), 1, Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("received 2 span(s)")
          .hasMessageContaining("GET /orders [SPAN_KIND_SERVER")
          .hasMessageContaining("db.system=postgresql")
          .hasMessageContaining("db.tables=[orders, customers]");
      assertThatThrownBy(() -> receiver.awaitMetric("jvm.gc.duration", Duration.ofMillis(100)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("[" + METRIC + "]");
    }
  }

  @ParameterizedTest
  @EnumSource(Protocol.class)
  void closeStopsListening(Protocol protocol) throws Exception {
    OtlpReceiver receiver = protocol.start();
    int port = receiver.port();

    receiver.close();

    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void httpAcceptsUncompressedBodies() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      HttpResponse<byte[]> response =
          post(receiver, "/v1/traces", "application/x-protobuf", traces().toByteArray());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(receiver.awaitSpans(span -> true, 2, TIMEOUT)).hasSize(2);
    }
  }

  @Test
  void httpRejectsWhatIsNotAnOtlpExport() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      byte[] traces = traces().toByteArray();

      assertThat(post(receiver, "/v1/trace", "application/x-protobuf", traces).statusCode())
          .isEqualTo(404);
      assertThat(post(receiver, "/v1/traces", "application/json", traces).statusCode())
          .isEqualTo(415);
      assertThat(
              post(receiver, "/v1/traces", "application/x-protobuf", new byte[] {(byte) 0xff})
                  .statusCode())
          .isEqualTo(400);
      HttpResponse<String> get =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(receiver.endpoint() + "/v1/traces")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(receiver.spans()).isEmpty();
      assertThat(receiver.exportRequests()).isZero();
    }
  }

  private static HttpResponse<byte[]> post(
      OtlpReceiver receiver, String path, String contentType, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(receiver.endpoint() + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  /** POSTs gzip-compressed protobuf, as the OpenTelemetry exporters do with compression on. */
  private static final class HttpExporter implements Exporter {

    private final String endpoint;

    HttpExporter(String endpoint) {
      this.endpoint = endpoint;
    }

    @Override
    public void export(ExportTraceServiceRequest request) throws Exception {
      post("/v1/traces", request, ExportTraceServiceResponse.getDefaultInstance());
    }

    @Override
    public void export(ExportMetricsServiceRequest request) throws Exception {
      post("/v1/metrics", request, ExportMetricsServiceResponse.getDefaultInstance());
    }

    @Override
    public void export(ExportLogsServiceRequest request) throws Exception {
      post("/v1/logs", request, ExportLogsServiceResponse.getDefaultInstance());
    }

    private void post(String path, MessageLite request, MessageLite emptyResponse)
        throws Exception {
      HttpRequest post =
          HttpRequest.newBuilder(URI.create(endpoint + path))
              .header("Content-Type", "application/x-protobuf")
              .header("Content-Encoding", "gzip")
              .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(request.toByteArray())))
              .build();

      HttpResponse<byte[]> response = HTTP.send(post, HttpResponse.BodyHandlers.ofByteArray());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
      assertThat(emptyResponse.getParserForType().parseFrom(response.body()))
          .isEqualTo(emptyResponse);
    }

    @Override
    public void close() {
      // Nothing to release: the HttpClient is shared.
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
      ByteArrayOutputStream compressed = new ByteArrayOutputStream();
      try (OutputStream out = new GZIPOutputStream(compressed)) {
        out.write(bytes);
      }
      return compressed.toByteArray();
    }
  }

  /** Calls the generated blocking stubs with gzip compression. */
  private static final class GrpcExporter implements Exporter {

    private final ManagedChannel channel;

    GrpcExporter(int port) {
      channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void export(ExportTraceServiceRequest request) {
      assertThat(TraceServiceGrpc.newBlockingStub(channel).withCompression("gzip").export(request))
          .isEqualTo(ExportTraceServiceResponse.getDefaultInstance());
    }

    @Override
    public void export(ExportMetricsServiceRequest request) {
      assertThat(
              MetricsServiceGrpc.newBlockingStub(channel).withCompression("gzip").export(request))
          .isEqualTo(ExportMetricsServiceResponse.getDefaultInstance());
    }

    @Override
    public void export(ExportLogsServiceRequest request) {
      assertThat(LogsServiceGrpc.newBlockingStub(channel).withCompression("gzip").export(request))
          .isEqualTo(ExportLogsServiceResponse.getDefaultInstance());
    }

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A server span and a client child span under one resource and scope. */
  private static ExportTraceServiceRequest traces() {
    Span parent =
        Span.newBuilder()
            .setTraceId(id(TRACE_ID))
            .setSpanId(id(PARENT_SPAN_ID))
            .setName("GET /orders")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(
                attribute("http.request.method", AnyValue.newBuilder().setStringValue("GET")))
            .build();
    Span child =
        Span.newBuilder()
            .setTraceId(id(TRACE_ID))
            .setSpanId(id(CHILD_SPAN_ID))
            .setParentSpanId(id(PARENT_SPAN_ID))
            .setName("SELECT orders")
            .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
            .addAttributes(
                attribute("db.system", AnyValue.newBuilder().setStringValue("postgresql")))
            .addAttributes(attribute("db.rows", AnyValue.newBuilder().setIntValue(42)))
            .addAttributes(
                attribute("db.cache.hit_ratio", AnyValue.newBuilder().setDoubleValue(0.5)))
            .addAttributes(attribute("db.cached", AnyValue.newBuilder().setBoolValue(true)))
            .addAttributes(
                attribute(
                    "db.tables",
                    AnyValue.newBuilder()
                        .setArrayValue(
                            ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setStringValue("orders"))
                                .addValues(AnyValue.newBuilder().setStringValue("customers")))))
            .addAttributes(
                attribute(
                    "db.query.text",
                    AnyValue.newBuilder()
                        .setStringValue("SELECT * FROM orders WHERE token = '" + SECRET + "'")))
            .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(resource())
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("dev.opsagent.test"))
                        .addSpans(parent)
                        .addSpans(child)))
        .build();
  }

  private static ExportMetricsServiceRequest metrics(long requests) {
    Metric metric =
        Metric.newBuilder()
            .setName(METRIC)
            .setSum(
                Sum.newBuilder()
                    .setIsMonotonic(true)
                    .addDataPoints(NumberDataPoint.newBuilder().setAsInt(requests)))
            .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(resource())
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric)))
        .build();
  }

  private static ExportLogsServiceRequest logs() {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource())
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .addLogRecords(
                            LogRecord.newBuilder()
                                .setBody(AnyValue.newBuilder().setStringValue("a log line")))))
        .build();
  }

  private static Resource resource() {
    return Resource.newBuilder()
        .addAttributes(attribute("service.name", AnyValue.newBuilder().setStringValue("checkout")))
        .build();
  }

  private static KeyValue attribute(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static ByteString id(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  private static byte[] concat(MessageLite... messages) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (MessageLite message : messages) {
      message.writeTo(bytes);
    }
    return bytes.toByteArray();
  }
}
