/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.args;
import static dev.opsagent.smoke.Smoke.awaitSum;
import static dev.opsagent.smoke.Smoke.exportTo;
import static dev.opsagent.smoke.Smoke.latestSum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a request cost the runtime, summed over every thread that worked for it: {@code
 * ConcurrencyApp} hands work to pools and new threads, and each span must count it, on every JDK.
 */
class CrossThreadSmokeTest {

  private static final String CONCURRENCY_APP = "dev.opsagent.smoke.apps.ConcurrencyApp";
  private static final long MS = 1_000_000;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void countsTheWorkOfEveryThreadThatWorkedForTheRequest(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, CONCURRENCY_APP)
                .agentArgs(
                    args(
                        exportTo(receiver),
                        FAST_SPANS,
                        FAST_METRICS,
                        "opsagent.thread-contention-monitoring=true"))
                .start()) {
      int port = app.port();
      // The JDK's executors and threads, loaded before the agent, are instrumented once it started.
      Smoke.awaitStarted(app);
      // Warm-up: the first hand-offs load classes (the application's and the agent's).
      for (String warmUp :
          List.of(
              "/submit?ms=1&warm",
              "/execute?ms=1&warm",
              "/parallel?ms=1&warm",
              "/async?ms=1&warm",
              "/forkjoin?ms=1&warm",
              "/thread?ms=1&warm",
              "/scheduled?ms=1&warm",
              "/leak?ms=1")) {
        assertThat(Http.get(port, warmUp).statusCode()).isEqualTo(200);
      }
      for (String path :
          List.of(
              "/submit?tasks=4&ms=20",
              "/execute?tasks=4&ms=20",
              "/parallel?tasks=4&ms=20",
              "/async?tasks=4&ms=20",
              "/forkjoin?tasks=4&ms=20",
              "/thread?ms=50",
              "/alloc?mb=10",
              "/blocked?ms=100",
              "/gc",
              "/late?ms=100",
              "/scheduled?ms=10",
              "/leak?ms=20")) {
        assertThat(Http.get(port, path).statusCode()).as(path).isEqualTo(200);
      }

      SoftAssertions softly = new SoftAssertions();
      ReceivedSpan submit = one(receiver, "/submit", "tasks=4&ms=20");
      expectHandedOff(softly, submit, "4 submitted tasks of 20 ms", 70);
      softly
          .assertThat(submit.longAttr("opsagent.async_tasks"))
          .as("tasks submitted")
          .isEqualTo(4L);

      ReceivedSpan execute = one(receiver, "/execute", "tasks=4&ms=20");
      expectHandedOff(softly, execute, "4 executed tasks of 20 ms", 70);
      softly
          .assertThat(execute.longAttr("opsagent.async_tasks"))
          .as("tasks executed")
          .isEqualTo(4L);

      // The caller of a parallel stream works on it too: only the total is known.
      ReceivedSpan parallel = one(receiver, "/parallel", "tasks=4&ms=20");
      softly
          .assertThat(parallel.longAttr("opsagent.cpu_time_ns"))
          .as("cpu, a parallel stream of 4 x 20 ms")
          .isGreaterThanOrEqualTo(70 * MS);

      // The default executor: the common pool, or a thread per task where it has one thread.
      ReceivedSpan async = one(receiver, "/async", "tasks=4&ms=20");
      expectHandedOff(softly, async, "4 supplyAsync of 20 ms", 70);
      softly
          .assertThat(
              async.longAttr("opsagent.async_tasks") + async.longAttr("opsagent.threads_started"))
          .as("tasks and threads of 4 supplyAsync")
          .isEqualTo(4L);

      ReceivedSpan forkJoin = one(receiver, "/forkjoin", "tasks=4&ms=20");
      expectHandedOff(softly, forkJoin, "a fork/join task of 4 x 20 ms", 70);
      softly
          .assertThat(forkJoin.longAttr("opsagent.async_tasks"))
          .as("fork/join tasks handed off")
          .isGreaterThanOrEqualTo(4L);

      ReceivedSpan thread = one(receiver, "/thread", "ms=50");
      expectHandedOff(softly, thread, "a thread of 50 ms", 45);
      softly
          .assertThat(thread.longAttr("opsagent.threads_started"))
          .as("threads started")
          .isEqualTo(1L);

      ReceivedSpan alloc = one(receiver, "/alloc", "mb=10");
      softly
          .assertThat(alloc.longAttr("opsagent.alloc_bytes"))
          .as("allocated by a task of 10 MB")
          .isGreaterThanOrEqualTo(10L * 1024 * 1024);

      ReceivedSpan blocked = one(receiver, "/blocked", "ms=100");
      softly
          .assertThat(blocked.longAttr("opsagent.blocked_ns"))
          .as("blocked 100 ms on a monitor")
          .isGreaterThanOrEqualTo(80 * MS);

      ReceivedSpan gc = one(receiver, "/gc", null);
      softly
          .assertThat(gc.longAttr("opsagent.gc_pause_ns"))
          .as("GC pause of System.gc()")
          .isPositive();

      ReceivedSpan late = one(receiver, "/late", "ms=100");
      softly
          .assertThat(late.longAttr("opsagent.async_tasks"))
          .as("tasks handed off by /late")
          .isEqualTo(1L);
      softly
          .assertThat(late.longAttr("opsagent.cpu_time_ns"))
          .as("cpu of /late, which does not wait for its task")
          .isLessThan(50 * MS);

      ReceivedSpan leak = one(receiver, "/leak", "ms=20");
      softly
          .assertThat(leak.longAttr("opsagent.cpu_time_ns"))
          .as("cpu of /leak: its 20 ms task, not the unrelated 200 ms after it")
          .isBetween(15 * MS, 150 * MS);

      // A periodic task works for the request until it ends (2 runs here), then for none (8 more).
      ReceivedSpan scheduled = one(receiver, "/scheduled", "ms=10");
      softly
          .assertThat(scheduled.longAttr("opsagent.cpu_time_ns"))
          .as("cpu of /scheduled: the runs before it answered, not the 8 after")
          .isBetween(15 * MS, 60 * MS);
      softly
          .assertThat(scheduled.longAttr("opsagent.async_tasks"))
          .as("tasks scheduled")
          .isEqualTo(1L);

      // The /late task finishes after its span: its CPU time goes to the late-work metric.
      softly
          .assertThat(awaitLateCpu(receiver, "/late", 80 * MS))
          .as("late work of /late")
          .isGreaterThanOrEqualTo(80 * MS);
      // The unrelated task ran on the pool thread that had worked for /leak: nothing of it is late
      // work of /leak.
      Smoke.pause(Duration.ofSeconds(1));
      softly.assertThat(lateCpu(receiver, "/leak")).as("late work of /leak").isZero();
      // At most the run under way when /scheduled answered (under load a third run may start
      // before it does); none of the 8 runs after it.
      softly
          .assertThat(lateCpu(receiver, "/scheduled"))
          .as("late work of /scheduled")
          .isLessThan(20 * MS);
      softly
          .assertThat(receiver.spans())
          .as("spans per task, off by default")
          .noneMatch(span -> span.kind() == Span.SpanKind.SPAN_KIND_INTERNAL);

      // Thread telemetry: the pool's four workers, made by the application's factory, and the
      // thread /thread started itself.
      softly
          .assertThat(
              latestSum(
                  receiver,
                  "opsagent.thread.starts",
                  Map.of(
                      "opsagent.thread.kind", "platform",
                      "jvm.thread.daemon", "false",
                      "opsagent.thread.creator", CONCURRENCY_APP + "$WorkerFactory")))
          .as("workers started by the pool's factory")
          .isEqualTo(4);
      softly
          .assertThat(
              latestSum(
                  receiver,
                  "opsagent.thread.starts",
                  Map.of(
                      "opsagent.thread.kind", "platform",
                      "jvm.thread.daemon", "false",
                      "opsagent.thread.creator", CONCURRENCY_APP)))
          .as("non-daemon threads the application started itself: 2 of /thread, 1 of /blocked")
          .isEqualTo(3);
      softly
          .assertThat(latestSum(receiver, "jvm.thread.count", Map.of("jvm.thread.daemon", "false")))
          .as("live non-daemon threads")
          .isGreaterThanOrEqualTo(4);
      softly.assertAll();
    }
  }

  @Test
  void virtualThreadsWorkForTheRequestThatStartedThem() throws Exception {
    Jdk jdk = Jdks.assumeJdk25Present();
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, CONCURRENCY_APP)
                .agentArgs(args(exportTo(receiver), FAST_SPANS, FAST_METRICS))
                .start()) {
      int port = app.port();
      Smoke.awaitStarted(app);
      for (String path :
          List.of(
              "/virtual?ms=1&warm",
              "/virtual-executor?tasks=1&ms=1&warm",
              "/virtual?ms=50",
              "/virtual-executor?tasks=4&ms=20")) {
        assertThat(Http.get(port, path).statusCode()).as(path).isEqualTo(200);
      }

      // A virtual thread has no CPU clock of its own: it does an amount of work the application
      // measured to take that much CPU time, with margins for the measurement.
      SoftAssertions softly = new SoftAssertions();
      ReceivedSpan virtual = one(receiver, "/virtual", "ms=50");
      expectHandedOff(softly, virtual, "a virtual thread of 50 ms", 40);
      softly
          .assertThat(virtual.longAttr("opsagent.threads_started"))
          .as("virtual threads started")
          .isEqualTo(1L);

      ReceivedSpan executor = one(receiver, "/virtual-executor", "tasks=4&ms=20");
      expectHandedOff(softly, executor, "4 virtual threads of 20 ms", 60);
      softly
          .assertThat(executor.longAttr("opsagent.threads_started"))
          .as("virtual threads started by the executor")
          .isEqualTo(4L);
      softly
          .assertThat(executor.longAttr("opsagent.async_tasks"))
          .as("tasks submitted to the executor")
          .isEqualTo(4L);

      softly
          .assertThat(
              awaitSum(
                  receiver,
                  "opsagent.thread.starts",
                  Map.of(
                      "opsagent.thread.kind", "virtual",
                      "jvm.thread.daemon", "true",
                      "opsagent.thread.creator", CONCURRENCY_APP),
                  7))
          .as("virtual threads started")
          .isEqualTo(7);
      softly.assertAll();
    }
  }

  @Test
  void withExecutorSpansEachTaskHasASpanOfItsOwnUnderTheRequest() throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(Jdks.current(), CONCURRENCY_APP)
                .agentArgs(
                    args(
                        exportTo(receiver),
                        FAST_SPANS,
                        FAST_METRICS,
                        "opsagent.executor.spans=true"))
                .start()) {
      int port = app.port();
      Smoke.awaitStarted(app);
      assertThat(Http.get(port, "/submit?tasks=4&ms=20").statusCode()).isEqualTo(200);
      assertThat(Http.get(port, "/forkjoin?tasks=4&ms=20").statusCode()).isEqualTo(200);

      ReceivedSpan submit = one(receiver, "/submit", "tasks=4&ms=20");
      List<ReceivedSpan> tasks = childrenOf(receiver, submit, 4);
      SoftAssertions softly = new SoftAssertions();
      for (ReceivedSpan task : tasks) {
        softly.assertThat(task.name()).isEqualTo("task ConcurrencyApp");
        softly.assertThat(task.attr("opsagent.task.class")).isEqualTo(CONCURRENCY_APP);
        softly.assertThat(task.attr("thread.name")).as("pool thread").startsWith("worker-");
        softly
            .assertThat(task.longAttr("opsagent.cpu_time_ns"))
            .as("cpu of one task of 20 ms")
            .isBetween(15 * MS, 60 * MS);
      }
      // The root task and the leaves it forked (invokeAll runs one of them itself).
      ReceivedSpan forkJoin = one(receiver, "/forkjoin", "tasks=4&ms=20");
      softly
          .assertThat(childrenOf(receiver, forkJoin, 4))
          .extracting(ReceivedSpan::name)
          .allMatch(name -> name.startsWith("task ConcurrencyApp$"));
      softly.assertAll();
    }
  }

  /** The CPU time of a request that handed work off counts that work; its own does not. */
  private static void expectHandedOff(
      SoftAssertions softly, ReceivedSpan span, String work, long atLeastMillis) {
    softly
        .assertThat(span.longAttr("opsagent.cpu_time_ns"))
        .as("cpu, " + work)
        .isGreaterThanOrEqualTo(atLeastMillis * MS);
    softly
        .assertThat(span.longAttr("opsagent.cpu_time_own_ns"))
        .as("own cpu, " + work)
        .isLessThan(20 * MS);
  }

  /** Waits for {@code count} INTERNAL children of {@code parent}, in its trace. */
  private static List<ReceivedSpan> childrenOf(
      OtlpReceiver receiver, ReceivedSpan parent, int count) {
    return receiver.awaitSpans(
        span ->
            span.kind() == Span.SpanKind.SPAN_KIND_INTERNAL
                && span.traceIdHex().equals(parent.traceIdHex())
                && span.parentSpanIdHex().equals(parent.spanIdHex()),
        count,
        AWAIT);
  }

  private static ReceivedSpan one(OtlpReceiver receiver, String path, String query) {
    Predicate<ReceivedSpan> match =
        span ->
            path.equals(span.attr("url.path"))
                && (query == null || query.equals(span.attr("url.query")));
    return receiver.awaitSpans(match, 1, AWAIT).get(0);
  }

  /** Waits until the late-work CPU time reported for {@code route} reaches {@code atLeast}. */
  private static long awaitLateCpu(OtlpReceiver receiver, String route, long atLeast) {
    return awaitSum(
        receiver, "opsagent.request.late_work.cpu_time", Map.of("http.route", route), atLeast);
  }

  /** The latest cumulative late-work CPU time reported for {@code route}, 0 if none. */
  private static long lateCpu(OtlpReceiver receiver, String route) {
    return latestSum(receiver, "opsagent.request.late_work.cpu_time", Map.of("http.route", route));
  }
}
