package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.exportTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.OtlpReceiver;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent flushes what it recorded when the application exits on its own: with a one-minute
 * export delay, only the shutdown flush can bring the span to the receiver, and it must not hold
 * the process up for long.
 */
class ShutdownFlushSmokeTest {

  /**
   * The receiver already has what the flush sent once the process is gone; a little slack anyway.
   */
  private static final Duration AFTER_EXIT = Duration.ofSeconds(5);

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
}
