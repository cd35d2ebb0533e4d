package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.LOG_AWAIT;
import static dev.opsagent.smoke.Smoke.QUICK_EXIT;
import static dev.opsagent.smoke.Smoke.agentLinesContaining;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.awaitStarted;
import static dev.opsagent.smoke.Smoke.exportTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How the agent takes its configuration, on the running JDK: a bad or unknown setting gives exactly
 * one log line naming it and changes nothing else (the application always serves), agent arguments
 * beat system properties, which beat environment variables.
 */
class ConfigurationSmokeTest {

  /** How long a log line that must not be repeated gets to show up again. */
  private static final Duration NO_MORE = Duration.ofSeconds(2);

  /**
   * The exporter retries a refused connection with back-off before it gives up (about 8 s in all),
   * and the warning comes when it gives up.
   */
  private static final Duration EXPORT_FAILURE_AWAIT = Duration.ofSeconds(20);

  @Test
  void unknownSettingIsNamedOnceAndIgnored() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app = app(receiver).sysProp("opsagent.no.such.key", "1").start()) {
      assertServesHello(app);
      awaitStarted(app);

      assertThat(onlyProblem(app, "opsagent.no.such.key"))
          .contains(" WARN ")
          .contains("unknown setting system property opsagent.no.such.key");
      awaitSpan(receiver, "GET /hello");
    }
  }

  @Test
  void invalidDurationFromTheEnvironmentFallsBackToTheDefault() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
                .agentArgs(args(exportTo(receiver), FAST_METRICS))
                .env("OTEL_BSP_SCHEDULE_DELAY", "abc")
                .start()) {
      assertServesHello(app);
      awaitStarted(app);

      assertThat(onlyProblem(app, "otel.bsp.schedule.delay"))
          .contains(" WARN ")
          .contains("invalid value 'abc' for otel.bsp.schedule.delay")
          .contains("OTEL_BSP_SCHEDULE_DELAY")
          .contains("using 5000 ms");
      // With the default delay of 5 s, the span still arrives.
      awaitSpan(receiver, "GET /hello");
    }
  }

  @Test
  void malformedEndpointFallsBackToTheDefault() throws Exception {
    try (AppJvm app =
        AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
            .agentArgs(args(FAST_SPANS, FAST_METRICS, QUICK_EXIT))
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url")
            .start()) {
      assertServesHello(app);
      awaitStarted(app);
      Smoke.pause(NO_MORE);

      // Nothing is expected to listen on localhost:4318, so export failures may be logged too.
      assertThat(agentLinesContaining(app, "otel.exporter.otlp.endpoint"))
          .singleElement()
          .satisfies(
              line ->
                  assertThat(line)
                      .contains(" WARN ")
                      .contains("invalid value 'not a url' for otel.exporter.otlp.endpoint")
                      .contains("OTEL_EXPORTER_OTLP_ENDPOINT")
                      .contains("using http://localhost:4318"));
      assertServesHello(app);
    }
  }

  @Test
  void unreachableCollectorIsReportedOnceAndTheApplicationKeepsServing() throws Exception {
    int port = Smoke.freePort();
    String traces = "http://127.0.0.1:" + port + "/v1/traces";
    try (AppJvm app =
        AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
            .agentArgs(
                args(
                    "otel.exporter.otlp.endpoint=http://127.0.0.1:" + port,
                    FAST_SPANS,
                    FAST_METRICS,
                    QUICK_EXIT))
            .start()) {
      assertServesHello(app);

      String warning = app.awaitStderr("cannot export spans to", EXPORT_FAILURE_AWAIT);
      assertThat(warning)
          .startsWith("[opsagent] ")
          .contains(" WARN ")
          .contains("cannot export spans to otlp http/protobuf " + traces + ": ")
          .contains("dropped so far");
      for (int i = 0; i < 5; i++) {
        assertServesHello(app);
      }
      Smoke.pause(NO_MORE);

      assertThat(agentLinesContaining(app, "cannot export spans to"))
          .as("export failure lines")
          .hasSize(1);
      assertThat(app.isAlive()).isTrue();
    }
  }

  @Test
  void switchedOffInstrumentationRecordsNothing() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            app(receiver)
                .sysProp("opsagent.instrumentation.jdk-http-server.enabled", "false")
                .start()) {
      String line = app.awaitStderr("switched off", LOG_AWAIT);
      assertThat(line)
          .startsWith("[opsagent] ")
          .contains(" INFO ")
          .contains("instrumentation jdk-http-server is switched off");
      for (int i = 0; i < 3; i++) {
        assertServesHello(app);
      }

      // Two metric exports after the requests prove the agent exports to this receiver,
      // and, with spans exported every 100 ms, that any span would have arrived.
      int before = exportsOfOwnHealth(receiver);
      receiver.awaitMetrics(
          metric -> metric.getName().equals("opsagent.export.exported"), before + 2, AWAIT);
      assertThat(receiver.spans()).as("spans from a switched-off instrumentation").isEmpty();
      assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
    }
  }

  static Stream<Arguments> serviceNameSources() {
    return Stream.of(
        Arguments.of(true, true, true, "from-args"),
        Arguments.of(false, true, true, "from-sysprop"),
        Arguments.of(false, false, true, "from-env"));
  }

  @ParameterizedTest(name = "args={0} sysprop={1} env={2} -> {3}")
  @MethodSource("serviceNameSources")
  void agentArgumentsBeatSystemPropertiesWhichBeatTheEnvironment(
      boolean inArgs, boolean inSysProp, boolean inEnv, String expected) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm.Builder builder =
          AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
              .agentArgs(
                  args(exportTo(receiver), FAST_SPANS, FAST_METRICS)
                      + (inArgs ? ",otel.service.name=from-args" : ""));
      if (inSysProp) {
        builder.sysProp("otel.service.name", "from-sysprop");
      }
      if (inEnv) {
        builder.env("OTEL_SERVICE_NAME", "from-env");
      }
      try (AppJvm app = builder.start()) {
        assertServesHello(app);

        assertThat(awaitSpan(receiver, "GET /hello").resourceAttr("service.name"))
            .isEqualTo(expected);
        awaitStarted(app);
        assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
      }
    }
  }

  @Test
  void serviceNameDefaultsToTheMainClass() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app = app(receiver).start()) {
      assertServesHello(app);

      assertThat(awaitSpan(receiver, "GET /hello").resourceAttr("service.name"))
          .isEqualTo("JdkHttpServerApp");
    }
  }

  @Test
  void invalidLogLevelIsNamedOnce() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app = app(receiver).sysProp("opsagent.log.level", "loud").start()) {
      assertServesHello(app);
      awaitStarted(app);

      assertThat(onlyProblem(app, "opsagent.log.level")).contains(" WARN ").contains("'loud'");
      awaitSpan(receiver, "GET /hello");
    }
  }

  /** The application exporting to {@code receiver} with fast settings, no service name set. */
  private static AppJvm.Builder app(OtlpReceiver receiver) {
    return AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
        .agentArgs(args(exportTo(receiver), FAST_SPANS, FAST_METRICS));
  }

  private static void assertServesHello(AppJvm app) throws IOException, InterruptedException {
    var response = Http.get(app.port(), "/hello");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
  }

  /**
   * The one warning or error the agent logged, which must name {@code key}; waits a little first so
   * that a repeated line would be caught.
   */
  private static String onlyProblem(AppJvm app, String key) {
    Smoke.pause(NO_MORE);
    assertThat(agentProblems(app))
        .as("agent warnings and errors")
        .singleElement()
        .asString()
        .contains(key);
    return agentProblems(app).get(0);
  }

  private static ReceivedSpan awaitSpan(OtlpReceiver receiver, String name) {
    return receiver.awaitSpans(span -> span.name().equals(name), 1, AWAIT).get(0);
  }

  private static int exportsOfOwnHealth(OtlpReceiver receiver) {
    return (int)
        receiver.metrics().stream()
            .filter(metric -> metric.getName().equals("opsagent.export.exported"))
            .count();
  }
}
