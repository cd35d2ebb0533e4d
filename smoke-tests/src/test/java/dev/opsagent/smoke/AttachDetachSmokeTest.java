/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AgentCli;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.JvmDiagnostics;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.RequestLoad;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent is attached to a server that runs without it, detached, and attached again, through
 * {@code java -jar opsagent.jar}, while a load of requests runs: no request fails, spans come while
 * it is attached and stop when it is detached, and a detach leaves none of the agent behind (no
 * thread, no class loader).
 */
class AttachDetachSmokeTest {

  /**
   * Okio's watchdog thread, in the agent's exporter, ends by itself a minute after its last use.
   */
  private static final Duration AGENT_THREADS_END = Duration.ofSeconds(90);

  private static final Duration MAX_LOAD_TIME = Duration.ofMinutes(4);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void attachDetachAndAttachAgainWhileServing(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
                .withoutAgent()
                // The JDK keeps some of its caches through soft references, which a full GC clears
                // only when memory runs short: this one clears them, so that only what is still
                // strongly held keeps the agent's class loader.
                .jvmArg("-XX:SoftRefLRUPolicyMSPerMB=0")
                .start();
        RequestLoad load = RequestLoad.start(app.port(), "/cpu?ms=1", 3, MAX_LOAD_TIME)) {
      String pid = Long.toString(app.pid());
      // A request in flight while the agent attaches: it completes, in the code it started in.
      CompletableFuture<HttpResponse<String>> inFlight =
          CompletableFuture.supplyAsync(() -> get(app.port(), "/cpu?ms=1500"));

      AgentCli.Result attach = AgentCli.run(jdk, "attach", attachArguments(pid, receiver, "first"));
      assertThat(attach.exitCode()).as(attach.output()).isZero();
      assertThat(attach.output()).contains("attached");
      assertThat(inFlight.get(AWAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);

      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      receiver.awaitSpans(span -> isHello(span, "first"), 1, AWAIT);

      AgentCli.Result again = AgentCli.run(jdk, "attach", attachArguments(pid, receiver, "other"));
      assertThat(again.exitCode()).as(again.output()).isZero();
      assertThat(again.output()).contains("already attached");

      AgentCli.Result detach = AgentCli.run(jdk, "detach", pid);
      assertThat(detach.exitCode()).as(detach.output()).isZero();
      assertThat(detach.output()).contains("detached").contains("classes restored");
      int spansAtDetach = receiver.spans().size();
      for (int i = 0; i < 5; i++) {
        assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      }

      assertThat(JvmDiagnostics.awaitNoAgentThreads(jdk, app.pid(), AGENT_THREADS_END))
          .as("the agent's threads after the detach")
          .isEmpty();
      assertThat(receiver.spans()).as("spans after the detach").hasSize(spansAtDetach);
      if (jdk.feature() >= 21) {
        // On JDK 17 the JIT keeps them: a loop that never returns (a pool worker's runWorker),
        // compiled while the agent was attached with the agent's code inlined, keeps the classes
        // it inlined for as long as it runs (the README says more).
        assertThat(
                JvmDiagnostics.instancesAfterFullGc(
                    jdk, app.pid(), AGENT_CLASS_LOADER, Duration.ofSeconds(10)))
            .as("agent class loaders left after the detach")
            .isZero();
      }

      AgentCli.Result reattach =
          AgentCli.run(jdk, "attach", attachArguments(pid, receiver, "second"));
      assertThat(reattach.exitCode()).as(reattach.output()).isZero();
      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      receiver.awaitSpans(span -> isHello(span, "second"), 1, AWAIT);

      load.close();
      assertThat(load.failures()).as("requests that failed under the load").isEmpty();
      assertThat(load.succeeded()).as("requests served under the load").isGreaterThan(100);
    }
  }

  private static final String AGENT_CLASS_LOADER = "dev\\.opsagent\\.bootstrap\\.AgentClassLoader";

  /** {@code <pid> key=value ...}: export to {@code receiver} as service {@code serviceName}. */
  private static String[] attachArguments(String pid, OtlpReceiver receiver, String serviceName) {
    return new String[] {
      pid,
      "otel.service.name=" + serviceName,
      "otel.exporter.otlp.endpoint=" + receiver.endpoint(),
      "otel.exporter.otlp.protocol=" + receiver.protocol(),
      "otel.metrics.exporter=none",
      FAST_SPANS
    };
  }

  private static boolean isHello(ReceivedSpan span, String serviceName) {
    return span.name().equals("GET /hello")
        && serviceName.equals(Smoke.attr(span.resource().getAttributesList(), "service.name"));
  }

  private static HttpResponse<String> get(int port, String pathAndQuery) {
    try {
      return Http.get(port, pathAndQuery);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
