/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.LOG_AWAIT;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.awaitSum;
import static dev.opsagent.smoke.Smoke.exportTo;
import static dev.opsagent.smoke.Smoke.latestSum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.ChildJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.Server;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Faults of the agent, made on purpose with the test-only switch {@code opsagent.test.fail}: the
 * application answers every request as it would without the agent, its output shows no failure of
 * the agent but the one warning of an instrumentation that disables itself, and the rest of the
 * agent keeps working.
 */
class AgentFaultsSmokeTest {

  private static final String CONCURRENCY_APP = "dev.opsagent.smoke.apps.ConcurrencyApp";
  private static final String FAULTS = "opsagent.test.fail";
  private static final String THRESHOLD_3 = "opsagent.instrumentation.failure-threshold=3";

  /** A frame of the agent's own code (the sample servers' package is dev.opsagent.servers). */
  private static final Pattern AGENT_FRAME =
      Pattern.compile("^\\s*at dev\\.opsagent\\.(agent|bootstrap|exporter|instrumentation)\\.");

  @Test
  void httpRecordingThatKeepsFailingIsDisabledAtTheThresholdAndThreadsAreStillCounted()
      throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm app = startWithFaults(concurrencyApp(), receiver, "jdk-http-server/2", THRESHOLD_3);
      String warning;
      try (app) {
        // Every second request's record fails as it ends, after the answer: three of the first
        // six are recorded, and the third failure disables the instrumentation.
        for (int i = 1; i <= 6; i++) {
          expectAnswer(app, "/submit?tasks=2&ms=1&n=" + i, "2 tasks done");
        }
        warning = app.awaitStderr("instrumentation jdk-http-server is disabled", LOG_AWAIT);
        for (int i = 7; i <= 10; i++) {
          expectAnswer(app, "/submit?tasks=2&ms=1&n=" + i, "2 tasks done");
        }
        expectAnswer(app, "/thread?ms=1", "thread done");
        expectAnswer(app, "/thread?ms=1", "thread done");

        assertThat(
                awaitSum(
                    receiver,
                    "opsagent.thread.starts",
                    Map.of(
                        "opsagent.thread.kind", "platform",
                        "jvm.thread.daemon", "false",
                        "opsagent.thread.creator", CONCURRENCY_APP),
                    2))
            .as("threads the application started once the HTTP recording was disabled")
            .isEqualTo(2);
        assertThat(awaitFailures(receiver, "jdk-http-server", 3)).isEqualTo(3);
      }

      // Stopped, the agent exported everything it recorded.
      assertThat(serverSpans(receiver))
          .extracting(span -> span.attr("url.query"))
          .hasSize(3)
          .allMatch(query -> query.matches("tasks=2&ms=1&n=[1-6]"), "one of the first six");
      assertThat(serverSpans(receiver))
          .as("tasks followed while the requests were recorded")
          .allMatch(span -> span.longAttr("opsagent.async_tasks") == 2);
      assertThat(warning)
          .contains("after 3 failures within a minute")
          .contains("Last failure: " + injected("jdk-http-server"))
          .contains("HttpServerRecorder.onAsyncEnd(")
          .contains("Set opsagent.instrumentation.jdk-http-server.enabled=false");
      assertThat(failureOutput(app)).containsExactly(warning);
    }
  }

  @Test
  void executorHandOffsThatKeepFailingAreDisabledAndEveryTaskStillRuns() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm app = startWithFaults(concurrencyApp(), receiver, "executors", THRESHOLD_3);
      String warning;
      try (app) {
        // Each of the four tasks fails to start for the request: it runs all the same, and the
        // third failure disables the hand-offs.
        expectAnswer(app, "/submit?tasks=4&ms=5", "4 tasks done");
        warning = app.awaitStderr("instrumentation executors is disabled", LOG_AWAIT);
        handOffEveryWay(app, 30);

        // The server's requests are still recorded, and the threads they start still counted.
        ReceivedSpan execute = one(receiver, "/execute");
        assertThat(execute.longAttr("opsagent.async_tasks")).as("tasks followed").isZero();
        ReceivedSpan thread = one(receiver, "/thread");
        assertThat(thread.longAttr("opsagent.threads_started")).isEqualTo(1);
        assertThat(thread.longAttr("opsagent.cpu_time_ns"))
            .as("CPU time of the request's thread of 30 ms")
            .isGreaterThanOrEqualTo(25_000_000L);
        receiver.awaitSpans(span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER, 8, AWAIT);
      }

      assertThat(warning).contains("Last failure: " + injected("executors"));
      assertThat(failureOutput(app)).containsExactly(warning);
    }
  }

  @Test
  void servletRecordingThatKeepsFailingNeverReachesTheApplication() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm app =
          startWithFaults(
              AppJvm.builder(Jdks.current(), Server.TOMCAT11), receiver, "servlet", THRESHOLD_3);
      String warning;
      try (app) {
        expectAnswer(app, "/hello", "hello");
        expectAnswer(app, "/async?ms=5", "async done");
        expectAnswer(app, "/users/42", "/42");
        warning = app.awaitStderr("instrumentation servlet is disabled", LOG_AWAIT);
        expectAnswer(app, "/forward", "hello");
        expectAnswer(app, "/include", "include:hello");
        expectAnswer(app, "/hello", "hello");
      }

      assertThat(serverSpans(receiver))
          .as("requests whose record failed or was not made")
          .isEmpty();
      assertThat(warning).contains("Last failure: " + injected("servlet"));
      assertThat(failureOutput(app)).containsExactly(warning);
    }
  }

  /**
   * Every second reading of a thread's counters fails, in every instrumentation that reads them:
   * which of them reach the threshold first depends on the threads' interleaving, but none of it
   * reaches the application.
   */
  @Test
  void cpuAccountingThatFailsNeverReachesTheApplication() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm app = startWithFaults(concurrencyApp(), receiver, "cpu-accounting/2");
      try (app) {
        for (int round = 0; round < 5; round++) {
          handOffEveryWay(app, 1);
        }
      }

      // Stopped, the agent exported its last metrics and printed every warning it owed.
      assertThat(latestSum(receiver, "opsagent.instrumentation.failures", Map.of()))
          .as("failures counted")
          .isPositive();
      List<String> warnings = agentProblems(app);
      assertThat(warnings)
          .allMatch(
              line ->
                  line.matches(
                      ".* WARN InstrumentationHealth: instrumentation"
                          + " (jdk-http-server|executors|threads) is disabled after 10 failures"
                          + " within a minute: .*"
                          + Pattern.quote(injected("cpu-accounting"))
                          + ".*"));
      assertThat(
              warnings.stream().map(line -> line.replaceAll(".* instrumentation (\\S+) .*", "$1")))
          .as("instrumentations disabled, each once")
          .doesNotHaveDuplicates();
      assertThat(failureOutput(app)).containsExactlyElementsOf(warnings);
    }
  }

  @Test
  void aClassThatFailsToTransformLeavesTheOthersWoven() throws Exception {
    String futureTask = "java.util.concurrent.FutureTask";
    try (OtlpReceiver receiver = OtlpReceiver.startHttp()) {
      AppJvm app = startWithFaults(concurrencyApp(), receiver, "transform:" + futureTask);
      try (app) {
        expectAnswer(app, "/submit?tasks=2&ms=20", "2 tasks done");
        expectAnswer(app, "/execute?tasks=2&ms=20", "2 tasks done");
        expectAnswer(app, "/thread?ms=20", "thread done");

        // FutureTask, which every submit builds, is left as it is: the tasks submitted are not
        // followed. ThreadPoolExecutor, Thread and the HTTP server are woven.
        assertThat(one(receiver, "/submit").longAttr("opsagent.async_tasks")).isZero();
        ReceivedSpan execute = one(receiver, "/execute");
        assertThat(execute.longAttr("opsagent.async_tasks")).isEqualTo(2);
        assertThat(execute.longAttr("opsagent.cpu_time_ns"))
            .as("CPU time of 2 executed tasks of 20 ms")
            .isGreaterThanOrEqualTo(30_000_000L);
        assertThat(one(receiver, "/thread").longAttr("opsagent.threads_started")).isEqualTo(1);
      }

      List<String> warnings = agentProblems(app);
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0))
          .contains("WARN AdviceWeaver: could not instrument " + futureTask + ": ")
          .contains(injected("transform:" + futureTask))
          .endsWith("; the class runs uninstrumented");
      assertThat(failureOutput(app)).containsExactlyElementsOf(warnings);
    }
  }

  private static AppJvm.Builder concurrencyApp() {
    return AppJvm.builder(Jdks.current(), CONCURRENCY_APP);
  }

  /**
   * Starts the application with the agent, {@code faults} as {@code opsagent.test.fail} and {@code
   * settings}, and waits for the agent.
   */
  private static AppJvm startWithFaults(
      AppJvm.Builder builder, OtlpReceiver receiver, String faults, String... settings)
      throws IOException {
    String exported = args(exportTo(receiver), FAST_SPANS, FAST_METRICS);
    AppJvm started =
        builder
            .sysProp(FAULTS, faults)
            .agentArgs(settings.length == 0 ? exported : args(exported, args(settings)))
            .start();
    Smoke.awaitStarted(started);
    return started;
  }

  /** The exception a point of {@code opsagent.test.fail} throws, as a log line shows it. */
  private static String injected(String point) {
    return "dev.opsagent.instrumentation.api.FaultInjection$InjectedFault: fault injected at "
        + point;
  }

  /**
   * Asks {@code ConcurrencyApp} for every way it hands work to other threads, each piece of work
   * burning {@code ms} of CPU.
   */
  private static void handOffEveryWay(AppJvm app, int ms) throws IOException, InterruptedException {
    String work = "tasks=2&ms=" + ms;
    expectAnswer(app, "/submit?" + work, "2 tasks done");
    expectAnswer(app, "/execute?" + work, "2 tasks done");
    expectAnswer(app, "/forkjoin?" + work, "2 leaves done");
    expectAnswer(app, "/async?" + work, "2 futures done");
    expectAnswer(app, "/parallel?" + work, "2 elements done");
    expectAnswer(app, "/scheduled?ms=" + ms, "ran twice");
    expectAnswer(app, "/thread?ms=" + ms, "thread done");
  }

  private static void expectAnswer(AppJvm app, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response = Http.get(app.port(), path);
    assertThat(response.statusCode()).as("status of " + path).isEqualTo(200);
    assertThat(response.body()).as("body of " + path).isEqualTo(body);
  }

  private static List<ReceivedSpan> serverSpans(OtlpReceiver receiver) {
    return receiver.spans().stream()
        .filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER)
        .collect(Collectors.toList());
  }

  private static ReceivedSpan one(OtlpReceiver receiver, String path) {
    return receiver.awaitSpans(span -> path.equals(span.attr("url.path")), 1, AWAIT).get(0);
  }

  private static long awaitFailures(OtlpReceiver receiver, String instrumentation, long atLeast) {
    return awaitSum(
        receiver,
        "opsagent.instrumentation.failures",
        Map.of("opsagent.instrumentation.name", instrumentation),
        atLeast);
  }

  /**
   * The lines of the application's output that show a failure of the agent: the message of a fault
   * injected, or a frame of the agent's code in a stack trace.
   */
  private static List<String> failureOutput(ChildJvm app) {
    return Stream.concat(app.stdout().lines(), app.stderr().lines())
        .filter(line -> line.contains("fault injected") || AGENT_FRAME.matcher(line).find())
        .collect(Collectors.toList());
  }
}
