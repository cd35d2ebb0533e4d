/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.config.Config;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import dev.opsagent.exporter.TestExporters;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The recorder end to end against the agent's real SDK ({@link Telemetry#create}), with a fake
 * server exchange.
 *
 * <p>{@code Telemetry} can only be built from a {@link Config}, so no in-memory exporter or reader
 * can be plugged in. Both signals go to the console exporters, whose stream ({@code System.out}
 * when the SDK is built) is captured: spans are read from the recorder's own token (its span is an
 * SDK {@link ReadableSpan}; with no exporter at all the SDK would not record spans), metrics from
 * the console output after shutdown.
 */
class HttpServerRecorderTest {

  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String PARENT_SPAN_ID = "b7ad6b7169203331";

  private final ByteArrayOutputStream consoleOut = new ByteArrayOutputStream();
  private Telemetry telemetry;
  private TelemetryHolder holder;
  private InstrumentationHealth health = new InstrumentationHealth("fake-server", 10);

  @BeforeEach
  void createSdk() {
    telemetry = createTelemetry(consoleOut);
    holder = new TelemetryHolder();
    holder.set(telemetry);
  }

  @AfterEach
  void shutdownSdk() {
    RequestContext.clearCurrent();
    telemetry.shutdown(Duration.ofSeconds(10));
  }

  /** The agent's SDK with spans and metrics printed to {@code out}. */
  static Telemetry createTelemetry(ByteArrayOutputStream out) {
    Properties properties = new Properties();
    properties.setProperty("otel.traces.exporter", "console");
    properties.setProperty("otel.metrics.exporter", "console");
    properties.setProperty("otel.service.name", "recorder-test");
    Config config = Config.create(null, properties, Collections.emptyMap());
    Telemetry telemetry = Telemetry.create(config);
    exporters =
        TestExporters.connect(telemetry, new PrintStream(out, true, StandardCharsets.UTF_8));
    return telemetry;
  }

  /** The exporters of the last {@link #createTelemetry}: tests run one at a time. */
  private static TestExporters exporters;

  /**
   * @return {@code span}, ended, as it was exported
   */
  static SpanData exported(Span span) {
    return exporters.exported(span);
  }

  private HttpServerRecorder<FakeExchange> recorder(String... captureConfig) {
    Properties properties = new Properties();
    for (int i = 0; i < captureConfig.length; i += 2) {
      properties.setProperty(captureConfig[i], captureConfig[i + 1]);
    }
    HttpCapture capture = HttpCapture.from(Config.create(null, properties, Collections.emptyMap()));
    return new HttpServerRecorder<>(
        health, FakeExchange.class, new FakeAccessor(), holder, capture);
  }

  /** One request through enter and exit, as the advice calls them; returns the ended span. */
  private static SpanData serve(
      HttpServerRecorder<FakeExchange> recorder, FakeExchange exchange, Throwable thrown) {
    Object token = recorder.onEnter(exchange);
    assertThat(token).as("token of a recorded request").isInstanceOf(ServerRequest.class);
    recorder.onExit(token, exchange, thrown);
    Span span = ((ServerRequest) token).span;
    assertThat(((ReadableSpan) span).hasEnded()).isTrue();
    return exported(span);
  }

  private static SpanData serve(HttpServerRecorder<FakeExchange> recorder, FakeExchange exchange) {
    return serve(recorder, exchange, null);
  }

  private static FakeExchange getOrder() {
    return new FakeExchange()
        .method("GET")
        .scheme("https")
        .path("/orders/42")
        .query("expand=items&token=abc123")
        .route("/orders/{id}")
        .header("host", "shop.example.com:8443")
        .header("user-agent", "curl/8.4.0")
        .peer("10.0.0.5", 54321)
        .local("10.0.0.1", 8443)
        .status(200);
  }

  // --- the span ------------------------------------------------------------------------------

  @Test
  void recordsAServerSpanWithTheHttpSemanticConventionAttributes() {
    SpanData span = serve(recorder(), getOrder());

    assertThat(span.getName()).isEqualTo("GET /orders/{id}");
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getInstrumentationScopeInfo().getName()).isEqualTo("dev.opsagent");
    Attributes attributes = span.getAttributes();
    assertThat(attributes.get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
    assertThat(attributes.get(AttributeKey.stringKey("http.request.method_original"))).isNull();
    assertThat(attributes.get(AttributeKey.stringKey("url.scheme"))).isEqualTo("https");
    assertThat(attributes.get(AttributeKey.stringKey("url.path"))).isEqualTo("/orders/42");
    assertThat(attributes.get(AttributeKey.stringKey("url.query")))
        .isEqualTo("expand=items&token=REDACTED");
    assertThat(attributes.get(AttributeKey.stringKey("http.route"))).isEqualTo("/orders/{id}");
    assertThat(attributes.get(AttributeKey.stringKey("server.address")))
        .isEqualTo("shop.example.com");
    assertThat(attributes.get(AttributeKey.longKey("server.port"))).isEqualTo(8443L);
    assertThat(attributes.get(AttributeKey.stringKey("client.address"))).isEqualTo("10.0.0.5");
    assertThat(attributes.get(AttributeKey.stringKey("network.peer.address")))
        .isEqualTo("10.0.0.5");
    assertThat(attributes.get(AttributeKey.longKey("network.peer.port"))).isEqualTo(54321L);
    assertThat(attributes.get(AttributeKey.stringKey("network.protocol.version"))).isEqualTo("1.1");
    assertThat(attributes.get(AttributeKey.stringKey("user_agent.original")))
        .isEqualTo("curl/8.4.0");
    assertThat(attributes.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(attributes.get(AttributeKey.stringKey("error.type"))).isNull();
  }

  @Test
  void recordsTheRequestsCpuTimeAndAllocatedBytes() {
    SpanData span = serve(recorder(), getOrder());

    Attributes attributes = span.getAttributes();
    Long cpu = attributes.get(AttributeKey.longKey("opsagent.cpu_time_ns"));
    assertThat(cpu).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(attributes.get(AttributeKey.longKey("opsagent.cpu_time_own_ns"))).isEqualTo(cpu);
    assertThat(attributes.get(AttributeKey.longKey("opsagent.alloc_bytes")))
        .isNotNull()
        .isGreaterThanOrEqualTo(0L);
  }

  @Test
  void allocationsOfTheHandlerAreCountedInTheSpan() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    FakeExchange exchange = getOrder();
    Object token = recorder.onEnter(exchange);
    byte[] handlerWork = new byte[2_000_000];
    exchange.body = handlerWork;
    recorder.onExit(token, exchange, null);

    SpanData span = exported(((ServerRequest) token).span);
    assertThat(span.getAttributes().get(AttributeKey.longKey("opsagent.alloc_bytes")))
        .isGreaterThanOrEqualTo(2_000_000L);
  }

  @Test
  void continuesTheTraceOfAnIncomingTraceparentHeader() {
    FakeExchange exchange =
        getOrder().header("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01");

    SpanData span = serve(recorder(), exchange);

    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_SPAN_ID);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  void startsANewTraceWithoutTraceparent() {
    SpanData span = serve(recorder(), getOrder());

    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getSpanContext().isValid()).isTrue();
  }

  @Test
  void spanIsNamedByTheMethodAloneWithoutARoute() {
    SpanData span = serve(recorder(), getOrder().route(null));

    assertThat(span.getName()).isEqualTo("GET");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.route"))).isNull();
  }

  @Test
  void unknownMethodIsRecordedAsOtherWithTheOriginalMethod() {
    SpanData span = serve(recorder(), getOrder().method("PROPFIND"));

    assertThat(span.getName()).isEqualTo("HTTP");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method")))
        .isEqualTo("_OTHER");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method_original")))
        .isEqualTo("PROPFIND");
  }

  @Test
  void methodIsCaseSensitiveSoLowerCaseGetIsUnknown() {
    SpanData span = serve(recorder(), getOrder().method("get"));

    assertThat(span.getName()).isEqualTo("HTTP");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method_original")))
        .isEqualTo("get");
  }

  @Test
  void missingMethodIsOtherWithoutAnOriginalMethod() {
    SpanData span = serve(recorder(), getOrder().method(null));

    assertThat(span.getName()).isEqualTo("HTTP");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method")))
        .isEqualTo("_OTHER");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("http.request.method_original")))
        .isNull();
  }

  @Test
  void requestWithoutQueryHasNoQueryAttribute() {
    SpanData span = serve(recorder(), getOrder().query(null));

    assertThat(span.getAttributes().get(AttributeKey.stringKey("url.query"))).isNull();
  }

  @Test
  void hostWithoutPortGivesTheSchemesDefaultPort() {
    SpanData https = serve(recorder(), getOrder().header("host", "shop.example.com"));
    SpanData http = serve(recorder(), getOrder().scheme("http").header("host", "shop.example.com"));

    assertThat(https.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(443L);
    assertThat(http.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(80L);
    assertThat(http.getAttributes().get(AttributeKey.stringKey("server.address")))
        .isEqualTo("shop.example.com");
  }

  @Test
  void hostValuesReadOnceStillGiveEachRequestItsOwnServer() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    String longHost = "a".repeat(HostHeaders.MAX_CACHED_LENGTH + 10) + ".example.com:8081";
    for (int round = 0; round < 2; round++) {
      SpanData https = serve(recorder, getOrder().header("host", "shop.example.com"));
      SpanData http = serve(recorder, getOrder().scheme("http").header("host", "shop.example.com"));
      SpanData other = serve(recorder, getOrder().header("host", "api.example.com:9090"));
      SpanData longName = serve(recorder, getOrder().header("host", longHost));

      assertThat(https.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(443L);
      assertThat(http.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(80L);
      assertThat(other.getAttributes().get(AttributeKey.stringKey("server.address")))
          .isEqualTo("api.example.com");
      assertThat(other.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(9090L);
      assertThat(longName.getAttributes().get(AttributeKey.stringKey("server.address")))
          .isEqualTo(longHost.substring(0, longHost.indexOf(':')));
      assertThat(longName.getAttributes().get(AttributeKey.longKey("server.port")))
          .isEqualTo(8081L);
    }
  }

  @Test
  void ipv6HostIsRecordedWithoutBrackets() {
    SpanData span = serve(recorder(), getOrder().header("host", "[::1]:8080"));

    assertThat(span.getAttributes().get(AttributeKey.stringKey("server.address"))).isEqualTo("::1");
    assertThat(span.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(8080L);
  }

  @Test
  void withoutHostHeaderTheLocalAddressIsTheServer() {
    FakeExchange exchange = getOrder();
    exchange.requestHeaders.remove("host");

    SpanData span = serve(recorder(), exchange);

    assertThat(span.getAttributes().get(AttributeKey.stringKey("server.address")))
        .isEqualTo("10.0.0.1");
    assertThat(span.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(8443L);
  }

  @Test
  void clientAddressComesFromForwardedFirst() {
    FakeExchange exchange =
        getOrder()
            .header("forwarded", "for=192.0.2.60;proto=https")
            .header("x-forwarded-for", "203.0.113.195, 70.41.3.18");

    SpanData span = serve(recorder(), exchange);

    assertThat(span.getAttributes().get(AttributeKey.stringKey("client.address")))
        .isEqualTo("192.0.2.60");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("network.peer.address")))
        .isEqualTo("10.0.0.5");
  }

  @Test
  void clientAddressComesFromXForwardedForWhenForwardedNamesNoClient() {
    FakeExchange exchange =
        getOrder()
            .header("forwarded", "proto=https")
            .header("x-forwarded-for", "203.0.113.195, 70.41.3.18");

    SpanData span = serve(recorder(), exchange);

    assertThat(span.getAttributes().get(AttributeKey.stringKey("client.address")))
        .isEqualTo("203.0.113.195");
  }

  @Test
  void peerPortIsLeftOutWhenUnknown() {
    SpanData span = serve(recorder(), getOrder().peer("10.0.0.5", 0));

    assertThat(span.getAttributes().get(AttributeKey.longKey("network.peer.port"))).isNull();
  }

  @Test
  void userAgentIsCutToTheHeaderValueMaximumLength() {
    SpanData span =
        serve(
            recorder("opsagent.capture.header-value-max-length", "4"),
            getOrder().header("user-agent", "Mozilla/5.0"));

    assertThat(span.getAttributes().get(AttributeKey.stringKey("user_agent.original")))
        .isEqualTo("Mozi");
  }

  @Test
  void everyValueTakenFromTheRequestIsCutToItsLimit() {
    FakeExchange exchange =
        getOrder()
            .method("X".repeat(5000))
            .path("/" + "p".repeat(100_000))
            .query("q=" + "x".repeat(100_000) + "&password=hunter2")
            .header("host", "h".repeat(70_000) + ":8443")
            .header("user-agent", "u".repeat(70_000))
            .header("x-forwarded-for", "1".repeat(70_000))
            .header("x-request-id", "r".repeat(70_000));

    Attributes attributes =
        serve(
                recorder(
                    "otel.instrumentation.http.server.capture-request-headers", "x-request-id"),
                exchange)
            .getAttributes();

    assertThat(attributes.get(AttributeKey.stringKey("url.path"))).hasSize(2048);
    assertThat(attributes.get(AttributeKey.stringKey("url.query"))).hasSize(2048);
    for (String key :
        Arrays.asList(
            "http.request.method_original",
            "server.address",
            "user_agent.original",
            "client.address")) {
      assertThat(attributes.get(AttributeKey.stringKey(key))).as(key).hasSize(512);
    }
    assertThat(attributes.get(AttributeKey.stringArrayKey("http.request.header.x-request-id")))
        .singleElement()
        .asString()
        .hasSize(512);
    assertThat(attributes.get(AttributeKey.longKey("server.port"))).isEqualTo(8443L);
  }

  @Test
  void malformedTraceparentStartsANewTrace() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    String valid = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";
    for (String traceparent :
        Arrays.asList(
            valid.toUpperCase(java.util.Locale.ROOT),
            "00-" + "0".repeat(32) + "-" + PARENT_SPAN_ID + "-01",
            "00-" + TRACE_ID + "-" + "0".repeat(16) + "-01",
            "ff" + valid.substring(2),
            valid + "-extra",
            valid.substring(0, 20) + "\u00e9" + valid.substring(21),
            "00-zzzz-1-01",
            "x".repeat(70_000),
            "")) {
      SpanData span = serve(recorder, getOrder().header("traceparent", traceparent));

      assertThat(span.getParentSpanContext().isValid()).as(traceparent).isFalse();
      assertThat(span.getTraceId()).as(traceparent).isNotEqualTo(TRACE_ID);
      assertThat(span.getSpanContext().isValid()).as(traceparent).isTrue();
    }
  }

  @Test
  void oversizedTracestateIsCutToTheW3cLength() {
    StringBuilder tracestate = new StringBuilder("first=1");
    for (int i = 0; i < 31; i++) {
      tracestate.append(",k").append(i).append('=').append(i % 2 == 0 ? "v".repeat(200) : "v");
    }
    SpanData span = serveWithTraceState(tracestate.toString());

    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    Map<String, String> kept = span.getSpanContext().getTraceState().asMap();
    assertThat(kept).containsEntry("first", "1").containsEntry("k1", "v").doesNotContainKey("k0");
    assertThat(kept.values()).allMatch(value -> value.length() < 128);
  }

  @Test
  void tracestateOfMoreThan32MembersIsDroppedAndTheTraceJoined() {
    StringBuilder tracestate = new StringBuilder("k0=v");
    for (int i = 1; i < 33; i++) {
      tracestate.append(",k").append(i).append("=v");
    }
    SpanData span = serveWithTraceState(tracestate.toString());

    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getSpanContext().getTraceState().isEmpty()).isTrue();
  }

  /** A request that continues a trace with this {@code tracestate}. */
  private SpanData serveWithTraceState(String tracestate) {
    return serve(
        recorder(),
        getOrder()
            .header("traceparent", "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01")
            .header("tracestate", tracestate));
  }

  @Test
  void baggageIsNeverRecordedWhateverItsSize() {
    for (String baggage :
        Arrays.asList("tenant=acme-secret", "k=" + "v".repeat(9000), "k=v,".repeat(1000))) {
      SpanData span = serve(recorder(), getOrder().header("baggage", baggage));

      assertThat(span.getAttributes().asMap().values())
          .as("attribute values with baggage %.40s", baggage)
          .noneMatch(value -> String.valueOf(value).contains("acme-secret"));
      assertThat(span.getSpanContext().isValid()).isTrue();
    }
  }

  // --- errors --------------------------------------------------------------------------------

  @Test
  void serverErrorStatusMarksTheSpanAsError() {
    SpanData span = serve(recorder(), getOrder().status(503));

    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("503");
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(503L);
  }

  @Test
  void clientErrorStatusIsNotAServerError() {
    SpanData span = serve(recorder(), getOrder().status(404));

    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isNull();
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(404L);
  }

  @Test
  void handlerThrowingBeforeAResponseIsRecordedAs500WithTheException() {
    IllegalStateException thrown = new IllegalStateException("no stock");

    SpanData span = serve(recorder(), getOrder().status(-1), thrown);

    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(500L);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("java.lang.IllegalStateException");
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("exception");
    assertThat(
            span.getEvents()
                .get(0)
                .getAttributes()
                .get(AttributeKey.stringKey("exception.message")))
        .isEqualTo("no stock");
  }

  @Test
  void handlerThrowingAfterTheResponseKeepsTheSentStatus() {
    SpanData span = serve(recorder(), getOrder().status(200), new IllegalArgumentException("late"));

    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type")))
        .isEqualTo("java.lang.IllegalArgumentException");
  }

  @Test
  void noStatusAndNoExceptionRecordsNoStatusCode() {
    SpanData span = serve(recorder(), getOrder().status(-1));

    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isNull();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  // --- captured headers ----------------------------------------------------------------------

  @Test
  void configuredRequestAndResponseHeadersAreCapturedAsStringArrays() {
    HttpServerRecorder<FakeExchange> recorder =
        recorder(
            "otel.instrumentation.http.server.capture-request-headers", "X-Request-Id,X-Absent",
            "otel.instrumentation.http.server.capture-response-headers", "X-Cache");
    FakeExchange exchange =
        getOrder()
            .header("x-request-id", "r-1")
            .header("x-request-id", "r-2")
            .responseHeader("x-cache", "HIT");

    SpanData span = serve(recorder, exchange);

    assertThat(
            span.getAttributes()
                .get(AttributeKey.stringArrayKey("http.request.header.x-request-id")))
        .containsExactly("r-1", "r-2");
    assertThat(
            span.getAttributes().get(AttributeKey.stringArrayKey("http.response.header.x-cache")))
        .containsExactly("HIT");
    assertThat(
            span.getAttributes().get(AttributeKey.stringArrayKey("http.request.header.x-absent")))
        .isNull();
  }

  @Test
  void sensitiveCapturedHeadersAreRedacted() {
    HttpServerRecorder<FakeExchange> recorder =
        recorder(
            "otel.instrumentation.http.server.capture-request-headers", "Authorization,X-Api-Key",
            "otel.instrumentation.http.server.capture-response-headers", "Set-Cookie",
            "opsagent.capture.redact", "x-api-*");
    FakeExchange exchange =
        getOrder()
            .header("authorization", "Bearer s3cr3t")
            .header("x-api-key", "k3y")
            .responseHeader("set-cookie", "session=abc");

    SpanData span = serve(recorder, exchange);

    assertThat(
            span.getAttributes()
                .get(AttributeKey.stringArrayKey("http.request.header.authorization")))
        .containsExactly("[REDACTED]");
    assertThat(
            span.getAttributes().get(AttributeKey.stringArrayKey("http.request.header.x-api-key")))
        .containsExactly("[REDACTED]");
    assertThat(
            span.getAttributes()
                .get(AttributeKey.stringArrayKey("http.response.header.set-cookie")))
        .containsExactly("[REDACTED]");
    assertThat(span.getAttributes().toString()).doesNotContain("s3cr3t", "k3y", "session=abc");
  }

  // --- the request context -------------------------------------------------------------------

  @Test
  void requestIsCurrentWhileTheHandlerRunsAndClearedAfter() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    FakeExchange exchange = getOrder();

    Object token = recorder.onEnter(exchange);
    assertThat(RequestContext.current()).isSameAs(token);
    recorder.onExit(token, exchange, null);

    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void nestedEntryWhileARequestIsCurrentRecordsNothing() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    FakeExchange exchange = getOrder();
    Object outer = recorder.onEnter(exchange);

    Object inner = recorder.onEnter(exchange);
    recorder.onExit(inner, exchange, null);

    assertThat(inner).isNull();
    assertThat(RequestContext.current()).isSameAs(outer);
    recorder.onExit(outer, exchange, null);
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void exchangeOfAnotherTypeIsIgnored() {
    HttpServerRecorder<FakeExchange> recorder = recorder();

    assertThat(recorder.onEnter("not an exchange")).isNull();
    assertThat(recorder.onEnter(null)).isNull();
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void nullTokenOnExitIsIgnored() {
    assertThatCode(() -> recorder().onExit(null, getOrder(), null)).doesNotThrowAnyException();
  }

  @Test
  void nothingIsRecordedWhenTheSdkCouldNotBeBuilt() {
    holder = new TelemetryHolder();
    holder.fail();

    assertThat(recorder().onEnter(getOrder())).isNull();
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void aFailingAccessorCountsAndDisablesTheRecorderAtTheThresholdWithoutThrowingIntoTheServer() {
    health = new InstrumentationHealth("fake-server", 2);
    HttpServerRecorder<FakeExchange> recorder = recorder();
    FakeExchange broken = getOrder();
    broken.explode = true;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    Object first;
    SpanData between;
    Object second;
    Object afterwards;
    try {
      first = recorder.onEnter(broken);
      between = serve(recorder, getOrder(), null);
      second = recorder.onEnter(broken);
      afterwards = recorder.onEnter(getOrder());
      recorder.onEnter(broken);
    } finally {
      System.setErr(originalErr);
    }

    assertThat(first).isNull();
    assertThat(between.getName())
        .as("a healthy request after one failure")
        .isEqualTo("GET /orders/{id}");
    assertThat(second).isNull();
    assertThat(afterwards).as("a healthy request after the second failure").isNull();
    assertThat(health.isDisabled()).isTrue();
    assertThat(health.failures()).as("the third broken request is not even tried").isEqualTo(2);
    assertThat(RequestContext.current()).isNull();
    String log = stderr.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("instrumentation fake-server is disabled after 2 failures within a minute")
        .contains("Last failure: java.lang.IllegalStateException")
        .contains("opsagent.instrumentation.fake-server.enabled=false");
    assertThat(log.split("is disabled after", -1)).as("warnings").hasSize(2);
    assertThat(log.lines()).as("the warning is one line, no stack trace").hasSize(1);
  }

  // --- the metrics ---------------------------------------------------------------------------

  @Test
  void recordsEachRequestsCpuTimeWithTheDurationsAttributes() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    serve(recorder, getOrder());
    serve(recorder, getOrder().path("/orders/43"));

    telemetry.shutdown(Duration.ofSeconds(10));

    List<String> lines =
        Arrays.stream(consoleOut.toString(StandardCharsets.UTF_8).split("\\R"))
            .filter(line -> line.startsWith("[opsagent metric] opsagent.request.cpu_time (s) "))
            .collect(Collectors.toList());
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains(
            "http.request.method=\"GET\"",
            "http.route=\"/orders/{id}\"",
            "http.response.status_code=200",
            " count=2 ");
  }

  @Test
  void recordsTheRequestDurationHistogramWithLowCardinalityAttributes() {
    HttpServerRecorder<FakeExchange> recorder = recorder();
    serve(recorder, getOrder());
    serve(recorder, getOrder().path("/orders/43"));
    serve(recorder, getOrder().method("PROPFIND").route(null).status(503));

    telemetry.shutdown(Duration.ofSeconds(10));

    List<String> lines =
        Arrays.stream(consoleOut.toString(StandardCharsets.UTF_8).split("\\R"))
            .filter(line -> line.startsWith("[opsagent metric] http.server.request.duration (s) "))
            .collect(Collectors.toList());
    assertThat(lines).hasSize(2);
    String ok = lines.stream().filter(line -> line.contains("GET")).findFirst().orElseThrow();
    assertThat(ok)
        .contains(
            "http.request.method=\"GET\"",
            "http.route=\"/orders/{id}\"",
            "http.response.status_code=200",
            "url.scheme=\"https\"",
            "network.protocol.version=\"1.1\"",
            " count=2 ")
        .doesNotContain("error.type", "url.path", "server.address", "client.address");
    String failed =
        lines.stream().filter(line -> line.contains("_OTHER")).findFirst().orElseThrow();
    assertThat(failed)
        .contains("error.type=\"503\"", "http.response.status_code=503", " count=1 ")
        .doesNotContain("http.route", "PROPFIND");
  }

  // --- the fake server -----------------------------------------------------------------------

  /** A server exchange whose every part a test sets. */
  static final class FakeExchange {
    String method;
    String scheme;
    String path;
    String query;
    String route;
    final Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
    final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
    String protocolVersion = "1.1";
    String peerAddress;
    int peerPort;
    String localAddress;
    int localPort;
    int status = -1;
    boolean explode;
    Object body;

    FakeExchange method(String value) {
      method = value;
      return this;
    }

    FakeExchange scheme(String value) {
      scheme = value;
      return this;
    }

    FakeExchange path(String value) {
      path = value;
      return this;
    }

    FakeExchange query(String value) {
      query = value;
      return this;
    }

    FakeExchange route(String value) {
      route = value;
      return this;
    }

    /** Adds a value; names are given in lower case, as the accessor contract says. */
    FakeExchange header(String name, String value) {
      if (name.equals("host") || name.equals("user-agent")) {
        requestHeaders.put(name, new ArrayList<>());
      }
      requestHeaders.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      return this;
    }

    FakeExchange responseHeader(String name, String value) {
      responseHeaders.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      return this;
    }

    FakeExchange peer(String address, int port) {
      peerAddress = address;
      peerPort = port;
      return this;
    }

    FakeExchange local(String address, int port) {
      localAddress = address;
      localPort = port;
      return this;
    }

    FakeExchange status(int value) {
      status = value;
      return this;
    }
  }

  static class FakeAccessor implements HttpServerAccessor<FakeExchange> {

    @Override
    public String method(FakeExchange exchange) {
      if (exchange.explode) {
        throw new IllegalStateException("accessor bug");
      }
      return exchange.method;
    }

    @Override
    public String scheme(FakeExchange exchange) {
      return exchange.scheme;
    }

    @Override
    public String rawPath(FakeExchange exchange) {
      return exchange.path;
    }

    @Override
    public String rawQuery(FakeExchange exchange) {
      return exchange.query;
    }

    @Override
    public String route(FakeExchange exchange) {
      return exchange.route;
    }

    @Override
    public String requestHeader(FakeExchange exchange, String name) {
      List<String> values = exchange.requestHeaders.get(name);
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public List<String> requestHeaders(FakeExchange exchange, String name) {
      return exchange.requestHeaders.getOrDefault(name, Collections.emptyList());
    }

    @Override
    public String protocolVersion(FakeExchange exchange) {
      return exchange.protocolVersion;
    }

    @Override
    public String peerAddress(FakeExchange exchange) {
      return exchange.peerAddress;
    }

    @Override
    public int peerPort(FakeExchange exchange) {
      return exchange.peerPort;
    }

    @Override
    public String localAddress(FakeExchange exchange) {
      return exchange.localAddress;
    }

    @Override
    public int localPort(FakeExchange exchange) {
      return exchange.localPort;
    }

    @Override
    public int statusCode(FakeExchange exchange) {
      return exchange.status;
    }

    @Override
    public List<String> responseHeaders(FakeExchange exchange, String name) {
      return exchange.responseHeaders.getOrDefault(name, Collections.emptyList());
    }
  }
}
