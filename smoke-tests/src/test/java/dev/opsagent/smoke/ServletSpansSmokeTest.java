/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.exportTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.JvmDiagnostics;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.Server;
import dev.opsagent.smoke.harness.StandaloneTomcat;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real servlet containers with the agent attached: one server span per request whatever the
 * filters, forwards, includes and asynchronous dispatches, with the route of the servlet mapping,
 * the status the client got, and the CPU time of the threads that worked for asynchronous requests.
 */
class ServletSpansSmokeTest {

  private static final long MS = 1_000_000;

  /** List values continue after commas up to the next key=value. */
  private static final String CAPTURE_HEADERS =
      "otel.instrumentation.http.server.capture-request-headers=x-request-id,authorization,"
          + "otel.instrumentation.http.server.capture-response-headers=x-filtered";

  /** The oldest and newest lines of Tomcat and Jetty also run on JDK 25, when installed. */
  private static final List<Server> ON_JDK25 =
      List.of(Server.TOMCAT9, Server.TOMCAT11, Server.JETTY9, Server.JETTY12);

  /** Each request of the sample servlets, and how many requests were made of it. */
  private static final Map<String, Integer> REQUESTS =
      Map.ofEntries(
          Map.entry("/hello", 2),
          Map.entry("/users/42", 1),
          Map.entry("/reports/monthly.do", 1),
          Map.entry("/fail", 1),
          Map.entry("/send-error?status=503", 1),
          Map.entry("/async?ms=30", 1),
          Map.entry("/async-start?ms=30", 1),
          Map.entry("/async-dispatch", 1),
          Map.entry("/async-timeout", 1),
          Map.entry("/forward", 1),
          Map.entry("/include", 1));

  static List<Arguments> servletContainers() {
    List<Arguments> cases = new ArrayList<>();
    Server.servletContainers().forEach(server -> cases.add(Arguments.of(server, Jdks.current())));
    Jdks.jdk25()
        .filter(jdk -> !jdk.equals(Jdks.current()))
        .ifPresent(jdk25 -> ON_JDK25.forEach(server -> cases.add(Arguments.of(server, jdk25))));
    return cases;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("servletContainers")
  void oneSpanPerRequestWithItsRouteStatusAndCost(Server server, Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, server)
                .agentArgs(args(exportTo(receiver), FAST_SPANS, CAPTURE_HEADERS))
                .start()) {
      int port = app.port();
      // Warm-up: the first asynchronous request loads the classes of the pools it uses.
      assertThat(Http.get(port, "/async?ms=1&warm").statusCode()).isEqualTo(200);
      for (Map.Entry<String, Integer> request : REQUESTS.entrySet()) {
        for (int i = 0; i < request.getValue(); i++) {
          Http.get(
              port,
              request.getKey(),
              "X-Request-Id",
              "r-" + i,
              "Authorization",
              "Bearer s3cr3t",
              "X-Forwarded-For",
              "203.0.113.7, 10.0.0.1");
        }
      }
      if (server.coreHandler()) {
        Http.get(port, "/core");
      }

      SoftAssertions softly = new SoftAssertions();
      Map<String, ReceivedSpan> spans =
          oneSpanEach(softly, receiver, "", server.coreHandler() ? 1 : 0);
      // Before Servlet 4.0 (Jetty 9.4) only a path mapping can be told from the request: an exact
      // or extension mapping looks like the default servlet's, whose route would be every path.
      boolean servlet4 = server != Server.JETTY9;
      expect(softly, spans.get("/hello"), servlet4 ? "/hello" : null, 200);
      expect(softly, spans.get("/users/42"), "/users/*", 200);
      expect(softly, spans.get("/reports/monthly.do"), servlet4 ? "/*.do" : null, 200);
      expect(softly, spans.get("/fail"), servlet4 ? "/fail" : null, 500);
      expect(softly, spans.get("/send-error"), servlet4 ? "/send-error" : null, 503);
      expect(softly, spans.get("/async"), servlet4 ? "/async" : null, 200);
      expect(softly, spans.get("/async-start"), servlet4 ? "/async-start" : null, 200);
      expect(softly, spans.get("/async-dispatch"), servlet4 ? "/async-dispatch" : null, 200);
      expect(softly, spans.get("/async-timeout"), servlet4 ? "/async-timeout" : null, 504);
      expect(softly, spans.get("/forward"), servlet4 ? "/forward" : null, 200);
      expect(softly, spans.get("/include"), servlet4 ? "/include" : null, 200);
      // The exception's class where the servlet layer records; Jetty 12's and Undertow's own
      // entry points see the status the container answered with.
      softly
          .assertThat(spans.get("/fail").attr("error.type"))
          .as("/fail error.type")
          .matches("(javax|jakarta)\\.servlet\\.ServletException|500");
      softly.assertThat(spans.get("/send-error").attr("error.type")).isEqualTo("503");
      expectAsyncCost(softly, spans.get("/async"));
      expectAsyncCost(softly, spans.get("/async-start"));
      expectHeadersAndClient(softly, spans.get("/users/42"));
      softly
          .assertThat(receiver.receivedContains("s3cr3t"))
          .as("the Authorization header's value in the exported bytes")
          .isFalse();
      softly
          .assertThat(durationNanos(spans.get("/async-timeout")))
          .as("/async-timeout lasts until the time-out")
          .isGreaterThanOrEqualTo(200 * MS);
      if (server.coreHandler()) {
        ReceivedSpan core = spans.get("/core");
        softly.assertThat(core.name()).as("/core: a handler, no route").isEqualTo("GET");
        softly.assertThat(core.attr("http.route")).isNull();
        softly.assertThat(core.longAttr("http.response.status_code")).isEqualTo(200L);
      }
      softly.assertAll();
    }
  }

  @Test
  void springMvcsPatternIsTheRoute() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(Jdks.current(), Server.SPRING_BOOT3)
                .agentArgs(args(exportTo(receiver), FAST_SPANS))
                .start()) {
      assertThat(Http.get(app.port(), "/users/42").statusCode()).isEqualTo(200);
      assertThat(Http.get(app.port(), "/users/43").statusCode()).isEqualTo(200);

      List<ReceivedSpan> users = receiver.awaitSpans(path("/users/4"), 2, AWAIT);
      SoftAssertions softly = new SoftAssertions();
      for (ReceivedSpan span : users) {
        softly.assertThat(span.name()).isEqualTo("GET /users/{id}");
        softly.assertThat(span.attr("http.route")).isEqualTo("/users/{id}");
        softly.assertThat(span.longAttr("http.response.status_code")).isEqualTo(200L);
      }
      softly.assertAll();
    }
  }

  @Test
  void aWarInAStandaloneTomcatStartedThroughCatalinaOpts() throws Exception {
    Jdk jdk = Jdks.current();
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        StandaloneTomcat tomcat =
            StandaloneTomcat.builder(jdk).agentArgs(args(exportTo(receiver), FAST_SPANS)).start()) {
      tomcat.deploy(StandaloneTomcat.sampleWar(), "sample");
      int port = tomcat.port();
      assertThat(Http.get(port, "/sample/async?ms=1&warm").statusCode()).isEqualTo(200);
      for (Map.Entry<String, Integer> request : REQUESTS.entrySet()) {
        for (int i = 0; i < request.getValue(); i++) {
          Http.get(port, "/sample" + request.getKey());
        }
      }

      SoftAssertions softly = new SoftAssertions();
      // The harness's last poll for the deployed war is one more /sample/hello.
      Map<String, ReceivedSpan> spans = oneSpanEach(softly, receiver, "/sample", 1);
      expect(softly, spans.get("/hello"), "/sample/hello", 200);
      expect(softly, spans.get("/users/42"), "/sample/users/*", 200);
      expect(softly, spans.get("/reports/monthly.do"), "/sample/*.do", 200);
      expect(softly, spans.get("/fail"), "/sample/fail", 500);
      expect(softly, spans.get("/async"), "/sample/async", 200);
      expect(softly, spans.get("/async-start"), "/sample/async-start", 200);
      expect(softly, spans.get("/async-timeout"), "/sample/async-timeout", 504);
      expectAsyncCost(softly, spans.get("/async"));
      expectAsyncCost(softly, spans.get("/async-start"));
      softly.assertAll();

      // Undeployed, the webapp's class loader can be collected: the agent holds nothing of it.
      tomcat.undeploy("sample");
      assertThat(
              JvmDiagnostics.instancesAfterFullGc(
                  jdk,
                  tomcat.pid(),
                  "org\\.apache\\.catalina\\.loader\\.\\w*WebappClassLoader",
                  Duration.ofSeconds(10)))
          .as("webapp class loaders left after undeployment and full GCs")
          .isZero();
    }
  }

  /**
   * Waits for the SERVER span of each request made, and {@code more} (their count matters: filters,
   * forwards, includes and dispatches must not add any), and returns one per path, without {@code
   * context}.
   */
  private static Map<String, ReceivedSpan> oneSpanEach(
      SoftAssertions softly, OtlpReceiver receiver, String context, int more) {
    int expected = REQUESTS.values().stream().mapToInt(Integer::intValue).sum() + more;
    // Neither the warm-up nor the harness's polls for the deployed war (404s) count.
    Predicate<ReceivedSpan> served =
        span ->
            span.kind() == Span.SpanKind.SPAN_KIND_SERVER
                && (span.attr("url.query") == null || !span.attr("url.query").contains("warm"))
                && !Long.valueOf(404).equals(span.longAttr("http.response.status_code"));
    List<ReceivedSpan> spans = receiver.awaitSpans(served, expected, AWAIT);
    Smoke.pause(Duration.ofMillis(500));
    softly
        .assertThat(receiver.spans().stream().filter(served).count())
        .as("server spans: one per request")
        .isEqualTo(expected);
    Map<String, ReceivedSpan> byPath = new HashMap<>();
    for (ReceivedSpan span : spans) {
      String path = span.attr("url.path");
      byPath.putIfAbsent(path.substring(context.length()), span);
    }
    return byPath;
  }

  private static void expect(SoftAssertions softly, ReceivedSpan span, String route, int status) {
    String path = span.attr("url.path");
    softly.assertThat(span.attr("http.route")).as(path + " route").isEqualTo(route);
    softly
        .assertThat(span.name())
        .as(path + " name")
        .isEqualTo(route == null ? "GET" : "GET " + route);
    softly
        .assertThat(span.longAttr("http.response.status_code"))
        .as(path + " status")
        .isEqualTo((long) status);
    softly
        .assertThat(span.span().getStatus().getCode())
        .as(path + " span status")
        .isEqualTo(
            status >= 500
                ? Status.StatusCode.STATUS_CODE_ERROR
                : Status.StatusCode.STATUS_CODE_UNSET);
  }

  /**
   * Configured request and response headers (the sample filter's {@code X-Filtered}), a sensitive
   * one redacted, and the client named by {@code X-Forwarded-For}.
   */
  private static void expectHeadersAndClient(SoftAssertions softly, ReceivedSpan span) {
    softly
        .assertThat(span.arrayAttr("http.request.header.x-request-id"))
        .as("captured request header")
        .containsExactly("r-0");
    softly
        .assertThat(span.arrayAttr("http.request.header.authorization"))
        .as("sensitive request header")
        .containsExactly("[REDACTED]");
    softly
        .assertThat(span.arrayAttr("http.response.header.x-filtered"))
        .as("captured response header")
        .containsExactly("yes");
    softly.assertThat(span.attr("client.address")).isEqualTo("203.0.113.7");
    softly.assertThat(span.attr("network.peer.address")).isEqualTo("127.0.0.1");
    softly.assertThat(span.attr("http.request.method")).isEqualTo("GET");
    softly.assertThat(span.attr("url.scheme")).isEqualTo("http");
    softly.assertThat(span.attr("network.protocol.version")).isEqualTo("1.1");
  }

  /**
   * {@code /async?ms=30}, {@code /async-start?ms=30}: another thread burned 30 ms of CPU for the
   * request after it returned.
   */
  private static void expectAsyncCost(SoftAssertions softly, ReceivedSpan async) {
    softly
        .assertThat(async.longAttr("opsagent.cpu_time_ns"))
        .as("cpu of /async, its worker thread included")
        .isGreaterThanOrEqualTo(25 * MS);
    softly
        .assertThat(async.longAttr("opsagent.cpu_time_own_ns"))
        .as("own cpu of /async")
        .isLessThan(25 * MS);
  }

  private static long durationNanos(ReceivedSpan span) {
    return span.span().getEndTimeUnixNano() - span.span().getStartTimeUnixNano();
  }

  private static Predicate<ReceivedSpan> path(String prefix) {
    return span -> {
      String path = span.attr("url.path");
      return path != null && path.startsWith(prefix);
    };
  }
}
