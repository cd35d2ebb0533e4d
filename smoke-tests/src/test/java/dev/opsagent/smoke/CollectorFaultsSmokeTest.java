/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.LOG_AWAIT;
import static dev.opsagent.smoke.Smoke.agentLinesContaining;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.latestSum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.Smoke.Protocol;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.BrokenCollector;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.OtlpReceiver.Refusal;
import dev.opsagent.smoke.harness.RequestLoad;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The collector fails under an application that serves a steady load, in every way a collector
 * fails, over real sockets, for both OTLP protocols: the application's requests neither fail nor
 * wait for the export, the spans the queue cannot hold are dropped and counted, one log line says
 * so, and export resumes once the collector is back, without a restart. Metrics go to a second
 * receiver that stays healthy, so the agent's own counts can be read throughout.
 */
class CollectorFaultsSmokeTest {

  /** Small, so that the queue fills within a second of a stalled export. */
  private static final int QUEUE = 256;

  private static final int BATCH = 64;

  /** The export's time limit: a request that waited for an export would take that long. */
  private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);

  /** Two clients, each pausing 2 ms after every answer: a few hundred requests a second. */
  private static final int CLIENTS = 2;

  private static final Duration PAUSE = Duration.ofMillis(2);
  private static final int WARM_UP_REQUESTS = 1_000;
  private static final int HEALTHY_REQUESTS = 1_500;
  private static final Duration HEALTHY_TIME = Duration.ofSeconds(4);

  /** Longer than one export's time limit, so the first failure shows while the load runs. */
  private static final Duration FAULT_TIME = EXPORT_TIMEOUT.plusSeconds(2);

  private static final int FAULT_REQUESTS = 4_000;

  /** How much slower the application may be under a fault: generous, the machine is shared. */
  private static final int P99_FACTOR = 10;

  private static final Duration P99_FLOOR = Duration.ofMillis(100);

  private static final String CANNOT_EXPORT = "cannot export spans to";
  private static final String WORKS_AGAIN = "exporting spans to";
  private static final Map<String, String> SPANS = Map.of("signal", "spans");

  /** What happens to the collector, and how it comes back. */
  enum Fault {
    /** Nothing listens when the application starts; a receiver comes later. */
    ABSENT_AT_START(true, true),
    /** The receiver goes away mid-run (connections refused), then comes back on its port. */
    KILLED(true, true),
    /** What listens accepts connections and never answers. */
    SILENT(true, true),
    /**
     * What listens answers bytes that are neither HTTP nor HTTP/2: the JDK client tries again,
     * OkHttp fails the export at once.
     */
    GARBAGE(true, false),
    /** HTTP 500: failed at once, nothing to try again. */
    SERVER_ERROR(false, false),
    /** HTTP 429 with {@code Retry-After: 1}. */
    TOO_MANY_REQUESTS(true, true),
    /** gRPC UNAVAILABLE. */
    UNAVAILABLE(true, true);

    private final boolean holdsHttpExports;
    private final boolean holdsGrpcExports;

    Fault(boolean holdsHttpExports, boolean holdsGrpcExports) {
      this.holdsHttpExports = holdsHttpExports;
      this.holdsGrpcExports = holdsGrpcExports;
    }

    /**
     * Whether one export lasts long enough (a time-out, retries) for the queue to fill behind it.
     */
    boolean holdsExports(Protocol protocol) {
      return protocol == Protocol.GRPC ? holdsGrpcExports : holdsHttpExports;
    }
  }

  /** What the agent counted of its spans: every span ends up in one of these. */
  private record SpanCounts(long exported, long failed, long dropped) {
    long total() {
      return exported + failed + dropped;
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.ABSENT_AT_START),
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.KILLED),
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.SILENT),
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.GARBAGE),
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.SERVER_ERROR),
        Arguments.of(Protocol.HTTP_PROTOBUF, Fault.TOO_MANY_REQUESTS),
        Arguments.of(Protocol.GRPC, Fault.ABSENT_AT_START),
        Arguments.of(Protocol.GRPC, Fault.KILLED),
        Arguments.of(Protocol.GRPC, Fault.SILENT),
        Arguments.of(Protocol.GRPC, Fault.GARBAGE),
        Arguments.of(Protocol.GRPC, Fault.UNAVAILABLE));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("faults")
  void theApplicationServesOnAndExportResumes(Protocol protocol, Fault fault) throws Exception {
    int port = Smoke.freePort();
    try (OtlpReceiver metrics = protocol.start();
        TracesPort traces = new TracesPort(protocol, port)) {
      if (fault != Fault.ABSENT_AT_START) {
        traces.receive();
      }
      try (AppJvm app =
          AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
              .agentArgs(agentArgs(protocol, port, metrics))
              .start()) {
        Smoke.awaitStarted(app);
        // Measured once the server's and the agent's code is compiled.
        int requests = load(app, "warm-up", WARM_UP_REQUESTS, HEALTHY_TIME).succeeded();
        RequestLoad healthy = null;
        if (fault != Fault.ABSENT_AT_START) {
          healthy = load(app, "healthy", HEALTHY_REQUESTS, HEALTHY_TIME);
          requests += healthy.succeeded();
        }

        traces.breakWith(fault);
        RequestLoad faulty = load(app, "fault", FAULT_REQUESTS, FAULT_TIME);
        requests += faulty.succeeded();
        String failure = app.awaitStderr(CANNOT_EXPORT, EXPORT_TIMEOUT.plus(LOG_AWAIT));

        traces.recover();
        // An export under way when the collector came back ends first, then the queue's backlog
        // goes out, if any is left: a fault that fails exports at once may have emptied the queue
        // already. Until the backlog is gone, a span that ends could find the queue full still.
        assertThat(awaitCounts(metrics, requests).total())
            .as("spans of the fault's load exported, failed or dropped")
            .isEqualTo(requests);
        if (healthy == null) {
          healthy = load(app, "healthy", HEALTHY_REQUESTS, HEALTHY_TIME);
          requests += healthy.succeeded();
        }
        // Exported to the recovered collector, whatever the queue held when it came back.
        assertThat(Http.get(app.port(), "/hello?phase=recovered").statusCode()).isEqualTo(200);
        requests++;
        String recovered = app.awaitStderr(WORKS_AGAIN, AWAIT);
        traces.receiver.awaitSpans(
            span -> "phase=recovered".equals(span.attr("url.query")), 1, AWAIT);
        SpanCounts counts = awaitCounts(metrics, requests);
        System.out.printf(
            "[faults] %s %s: p50/p99/max healthy %s/%s/%s, under the fault %s/%s/%s;"
                + " %d requests; spans exported %d, failed %d, dropped %d%n  %s%n  %s%n",
            protocol,
            fault,
            millis(healthy.latency(50)),
            millis(healthy.latency(99)),
            millis(healthy.latency(100)),
            millis(faulty.latency(50)),
            millis(faulty.latency(99)),
            millis(faulty.latency(100)),
            requests,
            counts.exported(),
            counts.failed(),
            counts.dropped(),
            failure,
            recovered);

        assertThat(faulty.latency(100))
            .as("slowest request under the fault: none waited for an export")
            .isLessThan(EXPORT_TIMEOUT.dividedBy(2));
        Duration p99Bound = healthy.latency(99).multipliedBy(P99_FACTOR);
        assertThat(faulty.latency(99))
            .as("p99 under the fault, against %s healthy", healthy.latency(99))
            .isLessThanOrEqualTo(p99Bound.compareTo(P99_FLOOR) > 0 ? p99Bound : P99_FLOOR);

        assertThat(counts.total()).as("spans exported + failed + dropped").isEqualTo(requests);
        assertThat(counts.failed() + counts.dropped()).as("spans lost to the fault").isPositive();
        if (fault.holdsExports(protocol)) {
          assertThat(counts.dropped()).as("spans dropped from the full queue").isPositive();
        }

        assertThat(failure)
            .contains(" WARN ")
            .contains(CANNOT_EXPORT + " otlp " + protocol.value + " ")
            .contains("dropped so far");
        assertThat(recovered).contains(" INFO ").contains("works again");
        assertThat(agentProblems(app))
            .as("the agent's warnings: one line for the whole fault")
            .containsExactly(failure);
        assertThat(agentLinesContaining(app, WORKS_AGAIN)).containsExactly(recovered);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Protocol.class)
  void aSilentCollectorHoldsTheExitUpAtMostTheShutdownTimeout(Protocol protocol) throws Exception {
    try (BrokenCollector silent = BrokenCollector.start(BrokenCollector.Behaviour.SILENT, 0);
        AppJvm app =
            AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
                .agentArgs(
                    args(
                        "otel.exporter.otlp.endpoint=http://127.0.0.1:" + silent.port(),
                        "otel.exporter.otlp.protocol=" + protocol.value,
                        FAST_SPANS,
                        FAST_METRICS,
                        "opsagent.shutdown.timeout=" + SHUTDOWN_TIMEOUT.toMillis()))
                .start()) {
      Smoke.awaitStarted(app);
      load(app, "exit", 500, Duration.ofSeconds(2));
      long deadline = System.nanoTime() + AWAIT.toNanos();
      while (silent.connections() == 0 && System.nanoTime() < deadline) {
        Smoke.pause(Duration.ofMillis(100));
      }
      assertThat(silent.connections()).as("connections to the silent collector").isPositive();

      Duration exit = app.stop();
      System.out.printf(
          "[faults] %s silent collector: exit %s ms after SIGTERM, shutdown timeout %s ms%n",
          protocol, exit.toMillis(), SHUTDOWN_TIMEOUT.toMillis());
      assertThat(exit).as("exit after SIGTERM").isLessThan(SHUTDOWN_TIMEOUT.plus(EXIT_SLACK));
      assertThat(agentLinesContaining(app, "could not export everything within"))
          .as("the shutdown's warning")
          .hasSize(1);
    }
  }

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);

  /** The JVM's own exit and the signal's delivery, on a loaded machine. */
  private static final Duration EXIT_SLACK = Duration.ofSeconds(3);

  private static String agentArgs(Protocol protocol, int tracesPort, OtlpReceiver metrics) {
    String traces = "http://127.0.0.1:" + tracesPort;
    boolean grpc = protocol == Protocol.GRPC;
    return args(
        "otel.exporter.otlp.protocol=" + protocol.value,
        "otel.exporter.otlp.traces.endpoint=" + (grpc ? traces : traces + "/v1/traces"),
        "otel.exporter.otlp.metrics.endpoint="
            + (grpc ? metrics.endpoint() : metrics.endpoint() + "/v1/metrics"),
        "otel.exporter.otlp.timeout=" + EXPORT_TIMEOUT.toMillis(),
        "otel.bsp.max.queue.size=" + QUEUE,
        "otel.bsp.max.export.batch.size=" + BATCH,
        FAST_SPANS,
        FAST_METRICS);
  }

  /** Runs a load of {@code /hello} requests to its end: none may fail. */
  private static RequestLoad load(AppJvm app, String phase, int requests, Duration time)
      throws InterruptedException {
    RequestLoad load =
        RequestLoad.start(app.port(), "/hello?phase=" + phase, CLIENTS, PAUSE, requests, time);
    assertThat(load.awaitEnd(time.plus(AWAIT))).as("the %s load ended", phase).isTrue();
    assertThat(load.failures()).as("requests that failed in the %s load", phase).isEmpty();
    return load;
  }

  /**
   * Waits until the agent's counts, as last exported to {@code metrics}, account for {@code spans}
   * spans.
   */
  private static SpanCounts awaitCounts(OtlpReceiver metrics, int spans) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    SpanCounts counts;
    do {
      Smoke.pause(Duration.ofMillis(200));
      counts =
          new SpanCounts(
              latestSum(metrics, "opsagent.export.exported", SPANS),
              latestSum(metrics, "opsagent.export.failed", SPANS),
              latestSum(metrics, "opsagent.export.dropped", SPANS));
    } while (counts.total() < spans && System.nanoTime() < deadline);
    return counts;
  }

  private static String millis(Duration duration) {
    return String.format("%.1f ms", duration.toNanos() / 1e6);
  }

  /** Whatever listens on the port where the agent sends its spans. */
  private static final class TracesPort implements AutoCloseable {
    private final Protocol protocol;
    private final int port;
    private OtlpReceiver receiver;
    private BrokenCollector broken;

    TracesPort(Protocol protocol, int port) {
      this.protocol = protocol;
      this.port = port;
    }

    /** A healthy receiver listens. */
    void receive() throws Exception {
      close();
      receiver = protocol.start(port);
    }

    void breakWith(Fault fault) throws Exception {
      switch (fault) {
        case ABSENT_AT_START -> {}
        case KILLED -> close();
        case SILENT -> {
          close();
          broken = BrokenCollector.start(BrokenCollector.Behaviour.SILENT, port);
        }
        case GARBAGE -> {
          close();
          broken = BrokenCollector.start(BrokenCollector.Behaviour.GARBAGE, port);
        }
        case SERVER_ERROR -> receiver.refuse(Refusal.SERVER_ERROR);
        case TOO_MANY_REQUESTS -> receiver.refuse(Refusal.TOO_MANY_REQUESTS);
        case UNAVAILABLE -> receiver.refuse(Refusal.UNAVAILABLE);
      }
    }

    /** A healthy receiver listens again: the refusing one accepts, or a new one starts. */
    void recover() throws Exception {
      if (receiver != null && broken == null) {
        receiver.refuse(null);
      } else {
        receive();
      }
    }

    @Override
    public void close() throws Exception {
      if (receiver != null) {
        receiver.close();
        receiver = null;
      }
      if (broken != null) {
        broken.close();
        broken = null;
      }
    }
  }
}
