/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.agentLinesContaining;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.JvmDiagnostics;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.RequestLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Five minutes of a steady load while the collector goes down and comes back every 30 s, with the
 * agent's default export settings: no request fails, export resumes each time the collector is
 * back, and the heap that live objects take after a full GC stays where it was after warm-up.
 */
class CollectorSoakSmokeTest {

  private static final Duration PERIOD = Duration.ofSeconds(30);

  /** Ten periods: five up, five down; the load runs throughout. */
  private static final int PERIODS = 10;

  /** Two clients pausing 2 ms after each answer: some hundreds of requests a second. */
  private static final int CLIENTS = 2;

  private static final Duration PAUSE = Duration.ofMillis(2);
  private static final int MAX_REQUESTS = 500_000;

  /**
   * Live heap may grow by this much over the soak: a full queue of spans (2048 at about 2 KB) and
   * the export in flight, with room for the JIT's and the class loaders' leftovers; a leak of one
   * span per request would pass it within a minute.
   */
  private static final long HEAP_GROWTH_BOUND = 16L * 1024 * 1024;

  @Test
  void theCollectorGoesDownAndComesBackEveryThirtySeconds() throws Exception {
    Jdk jdk = Jdks.current();
    int port = Smoke.freePort();
    OtlpReceiver receiver = OtlpReceiver.startHttp(port);
    try (AppJvm app =
        AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
            .agentArgs(
                args(
                    "otel.exporter.otlp.endpoint=http://127.0.0.1:" + port,
                    "otel.metric.export.interval=10000"))
            .start()) {
      Smoke.awaitStarted(app);
      RequestLoad load =
          RequestLoad.start(
              app.port(),
              "/hello",
              CLIENTS,
              PAUSE,
              MAX_REQUESTS,
              PERIOD.multipliedBy(PERIODS).plus(AWAIT));
      List<Long> liveHeap = new ArrayList<>();
      List<Integer> spansReceived = new ArrayList<>();
      long start = System.nanoTime();
      for (int period = 0; period < PERIODS; period++) {
        if (period % 2 == 0) {
          spansReceived.add(awaitNewSpans(receiver));
          liveHeap.add(JvmDiagnostics.liveHeapBytes(jdk, app.pid()));
        }
        long periodLeft = start + PERIOD.multipliedBy(period + 1).toNanos() - System.nanoTime();
        Smoke.pause(Duration.ofNanos(Math.max(0, periodLeft)));
        if (period % 2 == 0) {
          receiver.close();
        } else {
          receiver = OtlpReceiver.startHttp(port);
        }
      }
      // The collector came back at the end of the last period: export resumes as before.
      spansReceived.add(awaitNewSpans(receiver));
      liveHeap.add(JvmDiagnostics.liveHeapBytes(jdk, app.pid()));
      load.close();

      System.out.printf(
          "[soak] %d requests, p50/p99/max %.1f/%.1f/%.1f ms; spans received after each comeback"
              + " %s; live heap after full GC (MB) %s%n",
          load.succeeded(),
          load.latency(50).toNanos() / 1e6,
          load.latency(99).toNanos() / 1e6,
          load.latency(100).toNanos() / 1e6,
          spansReceived,
          liveHeap.stream().map(bytes -> String.format("%.1f", bytes / 1048576.0)).toList());
      assertThat(load.failures()).as("requests that failed").isEmpty();
      assertThat(load.succeeded()).as("requests served").isGreaterThan(10_000);
      // After warm-up: once the first outage and comeback have run every path of the export.
      long warm = liveHeap.get(1);
      assertThat(liveHeap.get(liveHeap.size() - 1))
          .as("live heap at the end, against %d bytes after warm-up", warm)
          .isLessThan(warm + HEAP_GROWTH_BOUND);
      assertThat(agentLinesContaining(app, "cannot export spans to"))
          .as("one warning per outage")
          .hasSize(PERIODS / 2);
      assertThat(agentLinesContaining(app, "exporting spans to"))
          .as("one line per comeback")
          .hasSize(PERIODS / 2)
          .allSatisfy(line -> assertThat(line).contains("works again"));
      assertThat(agentProblems(app))
          .as("the agent's warnings: export failures only")
          .allSatisfy(line -> assertThat(line).contains("cannot export"));
    } finally {
      receiver.close();
    }
  }

  /**
   * Waits until a span of a request served from now on arrives: export resumed.
   *
   * @return the spans this receiver has by then
   */
  private static int awaitNewSpans(OtlpReceiver receiver) {
    long sinceNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    long deadline = System.nanoTime() + PERIOD.toNanos();
    while (System.nanoTime() < deadline) {
      List<ReceivedSpan> spans = receiver.spans();
      if (spans.stream().anyMatch(span -> span.span().getStartTimeUnixNano() >= sinceNanos)) {
        return spans.size();
      }
      Smoke.pause(Duration.ofMillis(200));
    }
    throw new AssertionError(
        "no span of a request served after the collector came back arrived within "
            + PERIOD
            + "; "
            + receiver.spans().size()
            + " older spans did");
  }
}
