package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.exportTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.Smoke.Protocol;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.RequestLoad;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent flushes what it recorded when the application exits, on its own or stopped by SIGTERM:
 * with a one-minute export delay, only the shutdown flush can bring the spans to the receiver, and
 * it must not hold the process up for long.
 */
class ShutdownFlushSmokeTest {

  /**
   * The receiver already has what the flush sent once the process is gone; a little slack anyway.
   */
  private static final Duration AFTER_EXIT = Duration.ofSeconds(5);

  /** Fewer than the queue holds (2048 by default), more than a default batch (512). */
  private static final int QUEUED_SPANS = 1_500;

  /** {@code otel.bsp.export.timeout}, below {@code opsagent.shutdown.timeout} (10 s). */
  private static final Duration BATCH_EXPORT_TIMEOUT = Duration.ofSeconds(8);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void spansAreFlushedWhenTheApplicationExits(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
                .agentArgs(args(exportTo(receiver), "otel.bsp.schedule.delay=60000"))
                .start()) {
      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      assertThat(receiver.spans())
          .as("spans exported before the exit, with a 60 s delay")
          .isEmpty();

      assertThat(Http.get(app.port(), "/exit").statusCode()).isEqualTo(200);

      assertThat(app.waitForExit(AWAIT)).as("exit code").isZero();
      assertThat(receiver.awaitSpans(span -> span.name().equals("GET /hello"), 1, AFTER_EXIT))
          .singleElement()
          .satisfies(
              span -> assertThat(span.longAttr("http.response.status_code")).isEqualTo(200L));
    }
  }

  /**
   * Stopped as an orchestrator stops a service, with a healthy collector: every span of the
   * requests served before is exported, in one batch, and the exit takes less than that batch's
   * time limit.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Protocol.class)
  void everyQueuedSpanIsExportedOnSigterm(Protocol protocol) throws Exception {
    try (OtlpReceiver receiver = protocol.start();
        AppJvm app =
            AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
                .agentArgs(
                    args(
                        exportTo(receiver),
                        "otel.bsp.schedule.delay=60000",
                        // One batch as large as the queue: it never fills before the exit.
                        "otel.bsp.max.export.batch.size=2048",
                        "otel.bsp.export.timeout=" + BATCH_EXPORT_TIMEOUT.toMillis()))
                .start()) {
      Smoke.awaitStarted(app);
      RequestLoad load =
          RequestLoad.start(app.port(), "/hello", 2, Duration.ZERO, QUEUED_SPANS, AWAIT);
      assertThat(load.awaitEnd(AWAIT)).as("the load ended").isTrue();
      assertThat(load.failures()).isEmpty();
      assertThat(receiver.spans()).as("spans exported before the exit").isEmpty();

      Duration exit = app.stop();

      System.out.printf(
          "[shutdown] %s: %d spans flushed, exit %d ms after SIGTERM%n",
          protocol, receiver.spans().size(), exit.toMillis());
      assertThat(
              receiver.awaitSpans(
                  span -> span.name().equals("GET /hello"), QUEUED_SPANS, AFTER_EXIT))
          .hasSize(QUEUED_SPANS);
      assertThat(exit).as("exit after SIGTERM").isLessThan(BATCH_EXPORT_TIMEOUT);
      assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
    }
  }
}
