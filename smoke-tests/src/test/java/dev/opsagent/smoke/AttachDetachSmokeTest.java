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
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.JvmDiagnostics;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.RequestLoad;
import dev.opsagent.smoke.harness.Server;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent is attached to a server that runs without it, detached, and attached again, through
 * {@code java -jar opsagent.jar}, while a load of requests runs: no request fails, spans come while
 * it is attached and stop when it is detached, a detach flushes what was recorded, and it leaves no
 * thread of the agent behind.
 */
class AttachDetachSmokeTest {

  /**
   * Okio's watchdog thread, in the agent's exporter, ends by itself a minute after its last use.
   */
  private static final Duration AGENT_THREADS_END = Duration.ofSeconds(90);

  private static final Duration MAX_LOAD_TIME = Duration.ofMinutes(4);

  /** The receiver has what a detach flushed by the time the command returns; a little slack. */
  private static final Duration FLUSHED = Duration.ofSeconds(2);

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void attachDetachAndAttachAgainWhileServing(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app = AppJvm.builder(jdk, JDK_HTTP_SERVER_APP).withoutAgent().start();
        RequestLoad load = RequestLoad.start(app.port(), "/cpu?ms=1", 3, MAX_LOAD_TIME)) {
      String pid = Long.toString(app.pid());
      // A request in flight while the agent attaches: it completes, in the code it started in.
      CompletableFuture<HttpResponse<String>> inFlight =
          CompletableFuture.supplyAsync(() -> get(app.port(), "/cpu?ms=1500"));

      AgentCli.Result attach =
          AgentCli.run(jdk, "attach", attachArguments(pid, receiver, "first", FAST_SPANS));
      assertThat(attach.exitCode()).as(attach.output()).isZero();
      assertThat(attach.output()).contains("attached");
      assertThat(inFlight.get(AWAIT.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);

      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      receiver.awaitSpans(span -> isHello(span, "first"), 1, AWAIT);

      AgentCli.Result again =
          AgentCli.run(jdk, "attach", attachArguments(pid, receiver, "other", FAST_SPANS));
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

      AgentCli.Result status = AgentCli.run(jdk, "status", pid);
      assertThat(status.output()).contains("state:     detached").contains("threads:   none");

      // Attached again, with a one-minute export delay: only the detach's flush can export.
      AgentCli.Result reattach =
          AgentCli.run(
              jdk,
              "attach",
              attachArguments(pid, receiver, "second", "otel.bsp.schedule.delay=60000"));
      assertThat(reattach.exitCode()).as(reattach.output()).isZero();
      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      AgentCli.Result secondDetach = AgentCli.run(jdk, "detach", pid);
      assertThat(secondDetach.exitCode()).as(secondDetach.output()).isZero();
      assertThat(secondDetach.output()).contains("exporters flushed");
      assertThat(receiver.awaitSpans(span -> isHello(span, "second"), 1, FLUSHED)).hasSize(1);

      load.close();
      assertThat(load.failures()).as("requests that failed under the load").isEmpty();
      assertThat(load.succeeded()).as("requests served under the load").isGreaterThan(100);
    }
  }

  /**
   * A Spring Boot application that has served already: its servlets, filters and Spring's
   * dispatcher are loaded, found by their class files and retransformed, and the route comes from
   * Spring's pattern.
   */
  @Test
  void attachToASpringBootApplicationThatIsServing() throws Exception {
    Jdk jdk = Jdks.current();
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app = AppJvm.builder(jdk, Server.SPRING_BOOT3).withoutAgent().start()) {
      assertThat(Http.get(app.port(), "/users/7").statusCode()).isEqualTo(200);

      AgentCli.Result attach =
          AgentCli.run(
              jdk,
              "attach",
              attachArguments(Long.toString(app.pid()), receiver, "boot", FAST_SPANS));
      assertThat(attach.exitCode()).as(attach.output()).isZero();

      assertThat(Http.get(app.port(), "/users/42").statusCode()).isEqualTo(200);
      assertThat(receiver.awaitSpans(span -> "/users/42".equals(span.attr("url.path")), 1, AWAIT))
          .singleElement()
          .satisfies(
              span -> {
                assertThat(span.name()).isEqualTo("GET /users/{id}");
                assertThat(span.attr("http.route")).isEqualTo("/users/{id}");
                assertThat(span.longAttr("http.response.status_code")).isEqualTo(200L);
              });
    }
  }

  /**
   * {@code <pid> key=value ...}: export to {@code receiver} as service {@code serviceName}, with
   * {@code scheduleDelay}.
   */
  private static String[] attachArguments(
      String pid, OtlpReceiver receiver, String serviceName, String scheduleDelay) {
    return new String[] {
      pid,
      "otel.service.name=" + serviceName,
      "otel.exporter.otlp.endpoint=" + receiver.endpoint(),
      "otel.exporter.otlp.protocol=" + receiver.protocol(),
      "otel.metrics.exporter=none",
      scheduleDelay
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
