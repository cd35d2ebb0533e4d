/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.exportTo;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.RawHttp;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.Server;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What clients send that normal clients do not, written on raw sockets, to the JDK's HTTP server,
 * Tomcat (the servlet instrumentation), Jetty 12 and Undertow (their own entry points): malformed
 * and oversized W3C headers, a thousand headers, 64 KB values, bytes that are not UTF-8, request
 * lines of 100 KB, a made-up method and version, and sensitive query parameters in every form.
 *
 * <p>Each server answers what it accepts and refuses the rest (400, 414, 431, 501, or a closed
 * connection); whatever it hands to the application is recorded, within the documented limits,
 * without an agent warning, and no secret of the query reaches the receiver or the log. One JVM per
 * server: all requests first, then every check.
 */
class BadInputSmokeTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";

  private static final int URL_MAX_LENGTH = 2048;
  private static final int HEADER_VALUE_MAX_LENGTH = 512;
  private static final int MAX_HEADER_VALUES = 16;
  private static final int TRACESTATE_MAX_LENGTH = 512;

  /** In a baggage entry: baggage is never recorded. */
  private static final String BAGGAGE_MARKER = "baggage-marker-7f3a";

  /** Bytes that are no UTF-8: an invalid start byte, a truncated sequence, an encoded surrogate. */
  private static final byte[] NOT_UTF8 = {
    (byte) 0xFF, (byte) 0xFE, (byte) 0xC3, '(', (byte) 0xED, (byte) 0xA0, (byte) 0x80
  };

  /** The values of sensitive query parameters, and of URLs in captured headers. */
  private static final List<String> SECRETS =
      IntStream.rangeClosed(1, 14)
          .mapToObj(i -> String.format("leak-%02d-9c1e", i))
          .collect(Collectors.toList());

  private static final String SECRET_QUERY =
      "case=secrets&password=S01&PassWord=S02&pass%77ord=S03&token=S04;secret=S05&api_key=S06"
          + "&apikey=S07&sig=S08&signature=S09&passwd=S10&token=S11&session_key=S12&password&page=2";

  private static final String CAPTURE =
      "otel.instrumentation.http.server.capture-request-headers=x-request-id,referer,x-original-url";

  /** The JDK's server also on JDK 25, when installed: its parser is the JDK's own. */
  static Stream<Arguments> servers() {
    Stream<Arguments> onJdk25 =
        Jdks.jdk25().filter(jdk -> !jdk.equals(Jdks.current())).stream()
            .map(jdk -> Arguments.of("jdk-http-server", jdk, null));
    return Stream.concat(
        Stream.of(
            Arguments.of("jdk-http-server", Jdks.current(), null),
            Arguments.of(Server.TOMCAT11.module(), Jdks.current(), Server.TOMCAT11),
            Arguments.of(Server.JETTY12.module(), Jdks.current(), Server.JETTY12),
            Arguments.of(Server.UNDERTOW23.module(), Jdks.current(), Server.UNDERTOW23)),
        onJdk25);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("servers")
  void recordsWhatTheServerAcceptsWithinTheLimitsAndNoSecretLeaves(
      String name, Jdk jdk, Server server) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            (server == null
                    ? AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
                    : AppJvm.builder(jdk, server))
                .agentArgs(
                    args(
                        exportTo(receiver),
                        FAST_SPANS,
                        CAPTURE,
                        "opsagent.capture.redact-query-parameters=session_key",
                        "opsagent.log.level=debug"))
                .start()) {
      Map<String, Integer> answers = new LinkedHashMap<>();
      for (Map.Entry<String, RawHttp> request : requests().entrySet()) {
        answers.put(request.getKey(), request.getValue().send(app.port()));
      }
      System.out.println("[" + name + " on " + jdk + "] answers: " + answers);
      assertThat(RawHttp.request("/hello?case=last").send(app.port())).isEqualTo(200);
      receiver.awaitSpans(query("last"), 1, AWAIT);

      SoftAssertions softly = new SoftAssertions();
      Map<String, ReceivedSpan> spans = new LinkedHashMap<>();
      answers.forEach(
          (request, status) -> {
            Optional<ReceivedSpan> span =
                receiver.spans().stream().filter(query(request)).findFirst();
            // What the application answered is recorded; what the server refused may not be.
            if (status == 200 || status == 404) {
              softly.assertThat(span).as("span of %s, answered %s", request, status).isPresent();
            }
            span.ifPresent(found -> spans.put(request, found));
          });
      checkRequests(softly, spans);
      receiver.spans().forEach(span -> checkLimits(softly, span));

      softly
          .assertThat(receiver.receivedContains(BAGGAGE_MARKER))
          .as("baggage in the exported bytes")
          .isFalse();
      for (String secret : SECRETS) {
        softly.assertThat(receiver.receivedContains(secret)).as("'%s' exported", secret).isFalse();
        softly.assertThat(app.stdout()).as("stdout").doesNotContain(secret);
        softly.assertThat(app.stderr()).as("stderr").doesNotContain(secret);
      }
      softly.assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
      softly.assertAll();
    }
  }

  /** Every request, by the name its query starts with ({@code case=<name>}). */
  private static Map<String, RawHttp> requests() {
    Map<String, RawHttp> requests = new LinkedHashMap<>();
    for (Map.Entry<String, String> malformed :
        Map.of(
                "upper-case",
                TRACEPARENT.toUpperCase(Locale.ROOT),
                "zero-trace-id",
                "00-" + "0".repeat(32) + "-" + PARENT_SPAN_ID + "-01",
                "version-ff",
                "ff" + TRACEPARENT.substring(2),
                "trailing-field",
                TRACEPARENT + "-extra",
                "garbage",
                "00-zz-1-01",
                "long",
                "00-" + "a".repeat(6000))
            .entrySet()) {
      requests.put(
          "traceparent-" + malformed.getKey(),
          hello("traceparent-" + malformed.getKey()).header("traceparent", malformed.getValue()));
    }
    String tracestate =
        "first=1,"
            + IntStream.range(0, 31)
                .mapToObj(i -> "k" + i + "=" + "v".repeat(i % 2 == 0 ? 200 : 1))
                .collect(Collectors.joining(","));
    requests.put(
        "tracestate-oversized",
        hello("tracestate-oversized")
            .header("traceparent", TRACEPARENT)
            .header("tracestate", tracestate));
    requests.put(
        "tracestate-33-members",
        hello("tracestate-33-members")
            .header("traceparent", TRACEPARENT)
            .header(
                "tracestate",
                IntStream.range(0, 33)
                    .mapToObj(i -> "k" + i + "=v")
                    .collect(Collectors.joining(","))));
    requests.put(
        "baggage-7kb",
        hello("baggage-7kb")
            .header(
                "baggage",
                BAGGAGE_MARKER
                    + "=1,"
                    + IntStream.range(0, 400)
                        .mapToObj(i -> "k" + i + "=v")
                        .collect(Collectors.joining(","))));
    requests.put(
        "baggage-64kb",
        hello("baggage-64kb").header("baggage", BAGGAGE_MARKER + "=" + "v".repeat(65_536)));

    RawHttp thousandHeaders = hello("1000-headers");
    for (int i = 0; i < 1000; i++) {
      thousandHeaders.header("X-Header-" + i, "v");
    }
    requests.put("1000-headers", thousandHeaders);
    RawHttp repeated = hello("90-values");
    for (int i = 0; i < 90; i++) {
      repeated.header("X-Request-Id", "id-" + i);
    }
    requests.put("90-values", repeated);
    requests.put(
        "64kb-values",
        hello("64kb-values")
            .header("X-Request-Id", "r".repeat(65_536))
            .header("User-Agent", "u".repeat(65_536)));
    requests.put(
        "6kb-request-id", hello("6kb-request-id").header("X-Request-Id", "r".repeat(6000)));
    requests.put("6kb-user-agent", hello("6kb-user-agent").header("User-Agent", "u".repeat(6000)));
    requests.put(
        "6kb-forwarded-for",
        hello("6kb-forwarded-for").header("X-Forwarded-For", "1".repeat(6000)));
    requests.put(
        "not-utf8-headers",
        hello("not-utf8-headers").header("X-Request-Id", NOT_UTF8).header("User-Agent", NOT_UTF8));
    requests.put(
        "not-utf8-path",
        RawHttp.request(
            concat(
                "/users/".getBytes(ISO_8859_1),
                NOT_UTF8,
                "?case=not-utf8-path".getBytes(ISO_8859_1))));
    requests.put(
        "not-utf8-query",
        RawHttp.request(concat("/hello?case=not-utf8-query&q=".getBytes(ISO_8859_1), NOT_UTF8)));
    requests.put(
        "encoded-not-utf8-path", RawHttp.request("/users/%FF%FE%C3%28?case=encoded-not-utf8-path"));
    requests.put("6kb-path", RawHttp.request("/users/" + "p".repeat(6000) + "?case=6kb-path"));
    requests.put(
        "100kb-path", RawHttp.request("/users/" + "p".repeat(100_000) + "?case=100kb-path"));
    requests.put("6kb-query", RawHttp.request("/hello?case=6kb-query&q=" + "x".repeat(6000)));
    requests.put(
        "100kb-query", RawHttp.request("/hello?case=100kb-query&" + "q=1&".repeat(25_000)));
    requests.put(
        "64kb-query-without-values",
        RawHttp.request("/hello?case=64kb-query-without-values&" + "a&".repeat(32_000)));
    requests.put("long-method", hello("long-method").method("X".repeat(5000)));
    requests.put("made-up-version", hello("made-up-version").version("HTTP/1.1xyz"));

    String secretQuery = SECRET_QUERY;
    for (int i = 1; i <= 12; i++) {
      secretQuery = secretQuery.replace(String.format("S%02d", i), SECRETS.get(i - 1));
    }
    requests.put(
        "secrets",
        RawHttp.request("/hello?" + secretQuery)
            .header("Referer", "http://shop.example/cart?token=" + SECRETS.get(12) + "&item=3")
            .header("X-Original-Url", "/callback#access_token=" + SECRETS.get(13) + "&state=1"));
    return requests;
  }

  /** What each request that the server accepted must have been recorded with. */
  private static void checkRequests(SoftAssertions softly, Map<String, ReceivedSpan> spans) {
    spans.forEach(
        (request, span) -> {
          if (request.startsWith("traceparent-")) {
            softly.assertThat(span.parentSpanIdHex()).as("parent of %s", span).isEmpty();
            softly.assertThat(span.traceIdHex()).as("trace of %s", span).isNotEqualTo(TRACE_ID);
          }
        });
    expect(
        spans,
        "tracestate-oversized",
        span -> {
          softly.assertThat(span.traceIdHex()).as("trace of %s", span).isEqualTo(TRACE_ID);
          softly
              .assertThat(span.span().getTraceState())
              .as("trace state of %s", span)
              .startsWith("first=1,k1=v,k3=v")
              .doesNotContain("k0=");
        });
    expect(
        spans,
        "tracestate-33-members",
        span -> {
          softly.assertThat(span.traceIdHex()).as("trace of %s", span).isEqualTo(TRACE_ID);
          softly.assertThat(span.span().getTraceState()).as("trace state of %s", span).isEmpty();
        });
    expect(
        spans,
        "90-values",
        span ->
            softly
                .assertThat(span.arrayAttr("http.request.header.x-request-id"))
                .as("x-request-id of %s", span)
                .hasSize(MAX_HEADER_VALUES)
                .startsWith("id-0"));
    expect(
        spans,
        "not-utf8-headers",
        span -> {
          String latin1 = new String(NOT_UTF8, ISO_8859_1);
          softly
              .assertThat(span.arrayAttr("http.request.header.x-request-id"))
              .as("x-request-id of %s", span)
              .containsExactly(latin1);
          softly.assertThat(span.attr("user_agent.original")).as("of %s", span).isEqualTo(latin1);
        });
    for (String request : List.of("6kb-path", "100kb-path")) {
      expect(
          spans,
          request,
          span ->
              softly
                  .assertThat(span.attr("url.path"))
                  .as("url.path of %s", span)
                  .hasSize(URL_MAX_LENGTH)
                  .startsWith("/users/ppp"));
    }
    for (String request : List.of("6kb-query", "100kb-query", "64kb-query-without-values")) {
      expect(
          spans,
          request,
          span ->
              softly.assertThat(span.attr("url.query")).as("url.query").hasSize(URL_MAX_LENGTH));
    }
    expect(
        spans,
        "6kb-forwarded-for",
        span ->
            softly
                .assertThat(span.attr("client.address"))
                .as("client.address of %s", span)
                .hasSize(HEADER_VALUE_MAX_LENGTH));
    expect(
        spans,
        "long-method",
        span ->
            softly
                .assertThat(span.attr("http.request.method_original"))
                .as("method of %s", span)
                .hasSize(HEADER_VALUE_MAX_LENGTH));
    expect(
        spans,
        "made-up-version",
        span ->
            softly
                .assertThat(span.attr("network.protocol.version"))
                .as("version of %s", span)
                .isNull());
    String redactedQuery = SECRET_QUERY.replaceAll("=S\\d\\d", "=REDACTED");
    expect(
        spans,
        "secrets",
        span -> {
          softly.assertThat(span.attr("url.query")).as("url.query").isEqualTo(redactedQuery);
          softly
              .assertThat(span.arrayAttr("http.request.header.referer"))
              .as("referer")
              .containsExactly("http://shop.example/cart?token=REDACTED&item=3");
          softly
              .assertThat(span.arrayAttr("http.request.header.x-original-url"))
              .as("x-original-url")
              .containsExactly("/callback#access_token=REDACTED&state=1");
        });
    softly
        .assertThat(spans)
        .as("requests every server accepts")
        .containsKeys(
            "traceparent-garbage",
            "tracestate-oversized",
            "90-values",
            "6kb-request-id",
            "6kb-user-agent",
            "not-utf8-headers",
            "6kb-path",
            "6kb-query",
            "secrets");
  }

  /** The documented limits, on every span whatever request it records. */
  private static void checkLimits(SoftAssertions softly, ReceivedSpan span) {
    softly
        .assertThat(span.attr("url.path"))
        .as("url.path of %s", span)
        .hasSizeLessThanOrEqualTo(URL_MAX_LENGTH);
    softly
        .assertThat(span.attr("url.query"))
        .as("url.query")
        .hasSizeLessThanOrEqualTo(URL_MAX_LENGTH);
    for (String key :
        List.of(
            "http.request.method_original",
            "server.address",
            "client.address",
            "user_agent.original")) {
      String value = span.attr(key);
      if (value != null) {
        softly.assertThat(value).as(key).hasSizeLessThanOrEqualTo(HEADER_VALUE_MAX_LENGTH);
      }
    }
    for (KeyValue attribute : span.span().getAttributesList()) {
      if (attribute.getKey().startsWith("http.request.header.")) {
        List<String> values = span.arrayAttr(attribute.getKey());
        softly
            .assertThat(values)
            .as(attribute.getKey())
            .hasSizeLessThanOrEqualTo(MAX_HEADER_VALUES);
        values.forEach(
            value ->
                softly
                    .assertThat(value)
                    .as(attribute.getKey())
                    .hasSizeLessThanOrEqualTo(HEADER_VALUE_MAX_LENGTH));
      }
    }
    String version = span.attr("network.protocol.version");
    if (version != null) {
      softly.assertThat(Set.of("1.0", "1.1", "2")).as("versions").contains(version);
    }
    softly
        .assertThat(span.span().getTraceState())
        .as("trace state of %s", span)
        .hasSizeLessThanOrEqualTo(TRACESTATE_MAX_LENGTH);
  }

  private static void expect(
      Map<String, ReceivedSpan> spans, String request, Consumer<ReceivedSpan> check) {
    ReceivedSpan span = spans.get(request);
    if (span != null) {
      check.accept(span);
    }
  }

  /** A GET of {@code /hello?case=<name>}, served by every server. */
  private static RawHttp hello(String name) {
    return RawHttp.request("/hello?case=" + name);
  }

  private static Predicate<ReceivedSpan> query(String name) {
    return span -> {
      String query = span.attr("url.query");
      return query != null
          && (query.equals("case=" + name) || query.startsWith("case=" + name + "&"));
    };
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
