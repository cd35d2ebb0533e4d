package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.agentLines;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.attr;
import static dev.opsagent.smoke.Smoke.exportTo;
import static dev.opsagent.smoke.Smoke.histogramPoints;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.Smoke.Protocol;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code JdkHttpServerApp} with the agent, on every JDK and for both OTLP protocols: each kind of
 * request the application serves is checked attribute by attribute, with the resource, the
 * request-duration metric, what never leaves the process (secrets) and what the agent logs.
 *
 * <p>One application JVM per combination: all requests are sent first, then every check runs and
 * all failures are reported together.
 */
class JdkHttpServerSmokeTest {

  private static final String KEY_STORE_PASSWORD = "smoke-store-pass";
  private static final String SERVICE_NAME = "smoke-jdk-http";

  /**
   * After the last request's span arrived, everything sent before has arrived too (one queue, in
   * order).
   */
  private static final Duration AFTER_LAST = Duration.ofSeconds(5);

  /** How long to keep watching for a second span that must not come. */
  private static final Duration NO_MORE = Duration.ofSeconds(1);

  private static final String REDACTED = "[REDACTED]";

  /** Requests the test sends (a /fail retried by the client comes on top). */
  private static final int REQUESTS_SENT = 10;

  /** What each context of the application answers to the requests the test sends. */
  private static final Map<String, String> STATUS_BY_ROUTE =
      Map.of(
          "/hello",
          "200",
          "/cpu",
          "200",
          "/",
          "404",
          "/fail",
          "500",
          "/unavailable",
          "503",
          "/filtered",
          "200");

  private static final List<String> SECRETS =
      List.of(
          "hunter2",
          "auth-secret-token",
          "custom-secret-value",
          "cookie-in-request-secret",
          "cookie-secret-value");

  @TempDir static Path tempDir;
  private static Path keyStore;

  @BeforeAll
  static void generateKeyStore() throws Exception {
    keyStore = tempDir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                KEY_STORE_PASSWORD,
                "-keypass",
                KEY_STORE_PASSWORD,
                "-alias",
                "server",
                "-dname",
                "CN=localhost",
                "-validity",
                "2")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished: %s", output).isTrue();
    assertThat(process.exitValue()).as("keytool exit code: %s", output).isZero();
  }

  static Stream<Arguments> jdksAndProtocols() {
    return Jdks.all().stream()
        .flatMap(
            jdk -> Arrays.stream(Protocol.values()).map(protocol -> Arguments.of(jdk, protocol)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("jdksAndProtocols")
  void recordsEveryRequestAsAServerSpan(Jdk jdk, Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        AppJvm app =
            AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
                .agentArgs(
                    args(
                        exportTo(receiver),
                        FAST_SPANS,
                        FAST_METRICS,
                        "otel.service.name=" + SERVICE_NAME,
                        // List values continue after commas up to the next key=value.
                        "otel.instrumentation.http.server.capture-request-headers=x-request-id,authorization,x-api-secret,cookie",
                        "otel.instrumentation.http.server.capture-response-headers=x-response-id,set-cookie",
                        "opsagent.capture.redact=x-api-*"))
                .args("--https", keyStore.toString(), KEY_STORE_PASSWORD)
                .start()) {
      int port = app.port();
      int httpsPort = Integer.parseInt(app.ready("httpsPort"));
      String traceId = randomHex(16);
      String parentSpanId = randomHex(8);

      // All requests first, checking only what the client sees.
      HttpResponse<String> hello =
          Http.get(
              port,
              "/hello?user=alice&password=hunter2",
              "X-Request-Id",
              "req-42",
              "Authorization",
              "Bearer auth-secret-token",
              "X-Api-Secret",
              "custom-secret-value",
              "Cookie",
              "id=cookie-in-request-secret",
              "X-Forwarded-For",
              "203.0.113.9, 10.0.0.1",
              "User-Agent",
              "smoke-test/1.0");
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("hello");
      assertThat(Http.get(port, "/cpu?ms=50").statusCode()).isEqualTo(200);
      assertThat(Http.get(port, "/nope").statusCode()).isEqualTo(404);
      getIgnoringFailure(port, "/fail");
      assertThat(Http.get(port, "/unavailable").statusCode()).isEqualTo(503);
      assertThat(
              Http.get(
                      port,
                      "/hello?case=traceparent",
                      "traceparent",
                      "00-" + traceId + "-" + parentSpanId + "-01")
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              Http.get(port, "/hello?case=malformed-traceparent", "traceparent", "00-zzzz-1-01")
                  .statusCode())
          .isEqualTo(200);
      assertThat(Http.get(port, "/filtered").statusCode()).isEqualTo(200);
      HttpResponse<String> https = Http.getHttps(httpsPort, "/hello?case=https");
      assertThat(https.statusCode()).isEqualTo(200);
      assertThat(https.body()).isEqualTo("hello");
      assertThat(Http.get(port, "/hello?case=last").statusCode()).isEqualTo(200);

      receiver.awaitSpans(query("case=last"), 1, AWAIT);
      SoftAssertions softly = new SoftAssertions();
      Checks checks = new Checks(softly, receiver);

      checks
          .one(
              "GET /hello with headers",
              span ->
                  "/hello".equals(span.attr("url.path"))
                      && String.valueOf(span.attr("url.query")).startsWith("user=alice"))
          .ifPresent(
              span -> {
                checkHelloSpan(softly, span, port);
                checkResource(softly, span, jdk, app.pid());
              });
      checks
          .one("/cpu", path("/cpu"))
          .ifPresent(
              span -> {
                checkRoute(softly, span, "/cpu");
                softly
                    .assertThat(span.longAttr("opsagent.cpu_time_ns"))
                    .as("opsagent.cpu_time_ns of %s", span)
                    .isNotNull()
                    .isBetween(
                        TimeUnit.MILLISECONDS.toNanos(40), TimeUnit.MILLISECONDS.toNanos(500));
                softly
                    .assertThat(span.longAttr("opsagent.cpu_time_own_ns"))
                    .as("opsagent.cpu_time_own_ns of %s", span)
                    .isEqualTo(span.longAttr("opsagent.cpu_time_ns"));
              });
      checks
          .one("/nope (404)", path("/nope"))
          .ifPresent(
              span -> {
                checkRoute(softly, span, "/");
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(404L);
                softly.assertThat(span.attr("error.type")).as("error.type of %s", span).isNull();
                softly
                    .assertThat(span.span().getStatus().getCode())
                    .as("span status of %s", span)
                    .isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
              });
      checks
          .all("/fail", path("/fail"))
          .forEach(
              span -> {
                checkRoute(softly, span, "/fail");
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(500L);
                softly
                    .assertThat(span.attr("error.type"))
                    .as("error.type of %s", span)
                    .isEqualTo("java.lang.IllegalStateException");
                softly
                    .assertThat(span.span().getStatus().getCode())
                    .as("span status of %s", span)
                    .isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
                softly
                    .assertThat(span.span().getEventsList())
                    .as("events of %s", span)
                    .anySatisfy(
                        event -> {
                          assertThat(event.getName()).isEqualTo("exception");
                          assertThat(attr(event.getAttributesList(), "exception.type"))
                              .isEqualTo("java.lang.IllegalStateException");
                          assertThat(attr(event.getAttributesList(), "exception.message"))
                              .isEqualTo("boom");
                        });
              });
      checks
          .one("/unavailable (503)", path("/unavailable"))
          .ifPresent(
              span -> {
                checkRoute(softly, span, "/unavailable");
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(503L);
                softly
                    .assertThat(span.attr("error.type"))
                    .as("error.type of %s", span)
                    .isEqualTo("503");
                softly
                    .assertThat(span.span().getStatus().getCode())
                    .as("span status of %s", span)
                    .isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
              });
      checks
          .one("incoming traceparent", query("case=traceparent"))
          .ifPresent(
              span -> {
                checkRoute(softly, span, "/hello");
                softly.assertThat(span.traceIdHex()).as("trace id of %s", span).isEqualTo(traceId);
                softly
                    .assertThat(span.parentSpanIdHex())
                    .as("parent span id of %s", span)
                    .isEqualTo(parentSpanId);
              });
      checks
          .one("malformed traceparent", query("case=malformed-traceparent"))
          .ifPresent(
              span -> {
                softly
                    .assertThat(span.traceIdHex())
                    .as("trace id of %s", span)
                    .matches("[0-9a-f]{32}")
                    .isNotEqualTo("0".repeat(32));
                softly
                    .assertThat(span.spanIdHex())
                    .as("span id of %s", span)
                    .matches("[0-9a-f]{16}");
                softly
                    .assertThat(span.parentSpanIdHex())
                    .as("parent span id of %s", span)
                    .isEmpty();
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(200L);
              });
      checks
          .one("/filtered", path("/filtered"))
          .ifPresent(
              span -> {
                Smoke.pause(NO_MORE);
                softly
                    .assertThat(receiver.spans().stream().filter(path("/filtered")))
                    .as("spans of the one /filtered request (two filters, nested handlers)")
                    .hasSize(1);
                checkRoute(softly, span, "/filtered");
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(200L);
              });
      checks
          .one("https", query("case=https"))
          .ifPresent(
              span -> {
                checkRoute(softly, span, "/hello");
                softly
                    .assertThat(span.attr("url.scheme"))
                    .as("url.scheme of %s", span)
                    .isEqualTo("https");
                softly
                    .assertThat(span.longAttr("server.port"))
                    .as("server.port of %s", span)
                    .isEqualTo(httpsPort);
                softly
                    .assertThat(span.longAttr("http.response.status_code"))
                    .as("status of %s", span)
                    .isEqualTo(200L);
              });

      checkDurationMetric(softly, receiver);

      for (String secret : SECRETS) {
        softly.assertThat(receiver.receivedContains(secret)).as("'%s' exported", secret).isFalse();
      }

      Smoke.awaitStarted(app);
      softly
          .assertThat(agentLines(app))
          .as("the agent's log lines on a healthy start")
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains(" INFO AgentStarter: opsagent 0.1.0 started in ")
                      .contains("traces to otlp " + protocol.value + " " + receiver.endpoint())
                      .contains("metrics to otlp " + protocol.value + " " + receiver.endpoint())
                      .containsPattern("instrumentations: .*jdk-http-server")
                      .contains("executors")
                      .contains("threads"));
      softly.assertAll();
    }
  }

  /** The span name and {@code http.route} of a GET to the context {@code route}. */
  private static void checkRoute(SoftAssertions softly, ReceivedSpan span, String route) {
    softly.assertThat(span.name()).as("name of %s", span).isEqualTo("GET " + route);
    softly.assertThat(span.kind()).as("kind of %s", span).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    softly.assertThat(span.attr("http.route")).as("http.route of %s", span).isEqualTo(route);
  }

  private static void checkHelloSpan(SoftAssertions softly, ReceivedSpan span, int port) {
    softly.assertThat(span.name()).isEqualTo("GET /hello");
    softly.assertThat(span.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    Map<String, String> strings =
        Map.ofEntries(
            Map.entry("http.request.method", "GET"),
            Map.entry("url.scheme", "http"),
            Map.entry("url.path", "/hello"),
            Map.entry("url.query", "user=alice&password=REDACTED"),
            Map.entry("http.route", "/hello"),
            Map.entry("server.address", "127.0.0.1"),
            Map.entry("client.address", "203.0.113.9"),
            Map.entry("network.peer.address", "127.0.0.1"),
            Map.entry("network.protocol.version", "1.1"),
            Map.entry("user_agent.original", "smoke-test/1.0"));
    strings.forEach(
        (key, value) ->
            softly.assertThat(span.attr(key)).as("%s of %s", key, span).isEqualTo(value));
    softly
        .assertThat(span.longAttr("http.response.status_code"))
        .as("status of %s", span)
        .isEqualTo(200L);
    softly.assertThat(span.longAttr("server.port")).as("server.port of %s", span).isEqualTo(port);
    softly
        .assertThat(span.longAttr("network.peer.port"))
        .as("network.peer.port of %s", span)
        .isNotNull()
        .isPositive();
    softly.assertThat(span.attr("error.type")).as("error.type of %s", span).isNull();
    softly
        .assertThat(span.span().getStatus().getCode())
        .as("span status of %s", span)
        .isNotEqualTo(Status.StatusCode.STATUS_CODE_ERROR);

    Map<String, List<String>> headers =
        Map.of(
            "http.request.header.x-request-id", List.of("req-42"),
            "http.request.header.authorization", List.of(REDACTED),
            "http.request.header.x-api-secret", List.of(REDACTED),
            "http.request.header.cookie", List.of(REDACTED),
            "http.response.header.x-response-id", List.of("r-123"),
            "http.response.header.set-cookie", List.of(REDACTED));
    headers.forEach(
        (key, value) ->
            softly.assertThat(span.arrayAttr(key)).as("%s of %s", key, span).isEqualTo(value));

    Long cpu = span.longAttr("opsagent.cpu_time_ns");
    softly.assertThat(cpu).as("opsagent.cpu_time_ns of %s", span).isNotNull().isNotNegative();
    softly
        .assertThat(span.longAttr("opsagent.cpu_time_own_ns"))
        .as("opsagent.cpu_time_own_ns of %s", span)
        .isNotNull()
        .isEqualTo(cpu);
    softly
        .assertThat(span.longAttr("opsagent.alloc_bytes"))
        .as("opsagent.alloc_bytes of %s", span)
        .isNotNull()
        .isPositive();
  }

  private static void checkResource(SoftAssertions softly, ReceivedSpan span, Jdk jdk, long pid) {
    softly.assertThat(span.resourceAttr("service.name")).as("service.name").isEqualTo(SERVICE_NAME);
    softly
        .assertThat(span.resourceAttr("telemetry.distro.name"))
        .as("telemetry.distro.name")
        .isEqualTo("opsagent");
    softly
        .assertThat(span.resourceAttr("telemetry.distro.version"))
        .as("telemetry.distro.version")
        .isEqualTo("0.1.0");
    softly
        .assertThat(span.resourceAttr("process.pid"))
        .as("process.pid")
        .isEqualTo(Long.toString(pid));
    softly.assertThat(span.resourceAttr("host.name")).as("host.name").isNotBlank();
    softly
        .assertThat(span.resourceAttr("service.instance.id"))
        .as("service.instance.id")
        .isNotBlank();
    softly
        .assertThat(span.resourceAttr("process.runtime.name"))
        .as("process.runtime.name")
        .isNotBlank();
    softly
        .assertThat(span.resourceAttr("process.runtime.version"))
        .as("process.runtime.version")
        .matches(jdk.feature() + "(\\D.*)?");
  }

  /**
   * The request-duration histogram once it counts every request sent (it is cumulative): its unit,
   * the attributes of the /hello and /unavailable points, and that every point pairs a route with
   * the status that route answers.
   */
  private static void checkDurationMetric(SoftAssertions softly, OtlpReceiver receiver) {
    Metric metric;
    try {
      metric =
          receiver
              .awaitMetrics(
                  m ->
                      m.getName().equals("http.server.request.duration")
                          && m.hasHistogram()
                          && m.getHistogram().getDataPointsList().stream()
                                  .mapToLong(HistogramDataPoint::getCount)
                                  .sum()
                              >= REQUESTS_SENT,
                  1,
                  AWAIT)
              .get(0);
    } catch (AssertionError e) {
      softly.fail(
          "no http.server.request.duration histogram counting the "
              + REQUESTS_SENT
              + " requests sent: "
              + e.getMessage()
              + "; the last one received: "
              + receiver.metrics().stream()
                  .filter(m -> m.getName().equals("http.server.request.duration"))
                  .reduce((first, second) -> second)
                  .map(Smoke::describePoints)
                  .orElse("none"));
      return;
    }
    String points = Smoke.describePoints(metric);
    softly.assertThat(metric.getUnit()).as("unit of %s", points).isEqualTo("s");
    List<HistogramDataPoint> hello =
        histogramPoints(
            metric,
            Map.of(
                "http.route", "/hello", "http.response.status_code", "200", "url.scheme", "http"));
    softly.assertThat(hello).as("the /hello 200 http point of %s", points).hasSize(1);
    hello.stream()
        .findFirst()
        .ifPresent(
            point -> {
              softly
                  .assertThat(attr(point.getAttributesList(), "http.request.method"))
                  .as("method, %s", points)
                  .isEqualTo("GET");
              softly
                  .assertThat(attr(point.getAttributesList(), "network.protocol.version"))
                  .as("protocol, %s", points)
                  .isEqualTo("1.1");
              softly
                  .assertThat(attr(point.getAttributesList(), "error.type"))
                  .as("error.type, %s", points)
                  .isNull();
            });
    softly
        .assertThat(
            histogramPoints(
                metric,
                Map.of(
                    "http.route",
                    "/unavailable",
                    "http.response.status_code",
                    "503",
                    "error.type",
                    "503")))
        .as("the /unavailable 503 point, with error.type 503, of %s", points)
        .hasSize(1);
    for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
      String route = attr(point.getAttributesList(), "http.route");
      softly
          .assertThat(attr(point.getAttributesList(), "http.response.status_code"))
          .as("status of the point for route %s in %s", route, points)
          .isEqualTo(STATUS_BY_ROUTE.get(route));
    }
  }

  /** Finds spans, turning a timeout into a soft failure so the other checks still run. */
  private record Checks(SoftAssertions softly, OtlpReceiver receiver) {

    Optional<ReceivedSpan> one(String what, Predicate<ReceivedSpan> filter) {
      return all(what, filter).stream().findFirst();
    }

    List<ReceivedSpan> all(String what, Predicate<ReceivedSpan> filter) {
      try {
        return receiver.awaitSpans(filter, 1, AFTER_LAST);
      } catch (AssertionError e) {
        softly.fail("no span for " + what + ": " + e.getMessage());
        return List.of();
      }
    }
  }

  private static Predicate<ReceivedSpan> path(String path) {
    return span -> path.equals(span.attr("url.path"));
  }

  private static Predicate<ReceivedSpan> query(String query) {
    return span -> query.equals(span.attr("url.query"));
  }

  /**
   * The handler throws, so the server closes the connection: the client may fail, or retry once.
   */
  private static void getIgnoringFailure(int port, String path) throws InterruptedException {
    try {
      Http.get(port, path);
    } catch (IOException expected) {
      // No response is what a thrown handler gives.
    }
  }

  private static String randomHex(int bytes) {
    byte[] id = new byte[bytes];
    SecureRandom random = new SecureRandom();
    do {
      random.nextBytes(id);
    } while (HexFormat.of().formatHex(id).equals("0".repeat(bytes * 2)));
    return HexFormat.of().formatHex(id);
  }
}
