package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.OWN_TELEMETRY_APP;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.exportTo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An application with its own OpenTelemetry SDK and its own Byte Buddy: both keep working under the
 * agent, and the two telemetry pipelines stay apart (the application's spans never reach the
 * agent's receiver, the agent's spans never reach the application's exporter).
 */
class OwnTelemetrySmokeTest {

  /** How long to keep watching for an application span that must not be exported by the agent. */
  private static final Duration NO_MORE = Duration.ofSeconds(1);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void applicationTelemetryAndAgentTelemetryStayApart(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, OWN_TELEMETRY_APP)
                .agentArgs(args(exportTo(receiver), FAST_SPANS, FAST_METRICS))
                .start()) {
      HttpResponse<String> own = Http.get(app.port(), "/own");
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(own.body()).isEqualTo("made by the app's byte buddy");

      ReceivedSpan serverSpan =
          receiver.awaitSpans(span -> span.name().equals("GET /own"), 1, AWAIT).get(0);
      assertThat(serverSpan.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(serverSpan.longAttr("http.response.status_code")).isEqualTo(200L);

      HttpResponse<String> ownSpans = Http.get(app.port(), "/own-spans");
      assertThat(ownSpans.statusCode()).isEqualTo(200);
      List<String> lines = ownSpans.body().lines().collect(Collectors.toList());
      assertThat(lines.stream().filter(line -> !line.startsWith("#")))
          .as("spans the application's own exporter received")
          .containsExactly("app-own-span");
      assertThat(lines)
          .as("the application's own library versions")
          .contains("# byte-buddy 1.14.19", "# opentelemetry 1.40.0");

      // The /own-spans span comes after the /own span in the agent's one queue: once it is
      // here, an app-own-span exported through the agent would be here as well.
      receiver.awaitSpans(span -> span.name().equals("GET /own-spans"), 1, AWAIT);
      Smoke.pause(NO_MORE);
      assertThat(receiver.spans())
          .as("spans at the agent's receiver")
          .extracting(ReceivedSpan::name)
          .doesNotContain("app-own-span")
          .containsExactly("GET /own", "GET /own-spans");
      assertThat(agentProblems(app)).as("agent warnings and errors").isEmpty();
    }
  }
}
