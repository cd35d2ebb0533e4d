/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static io.opentelemetry.sdk.testing.assertj.OpenTelemetryAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code opsagent.thread.starts} and {@code jvm.thread.count}, read as an exporter would. */
class ThreadTelemetryTest {

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider meters =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  @AfterEach
  void close() {
    meters.close();
  }

  /** A factory of the application's own, as a pool would be given. */
  static final class OrderWorkers implements ThreadFactory {
    @Override
    public Thread newThread(Runnable runnable) {
      return new Thread(runnable);
    }
  }

  @Test
  void theCreatorIsThePoolsFactoryElseTheClassThatStartsTheThread() {
    ThreadPoolExecutor pool =
        (ThreadPoolExecutor) Executors.newFixedThreadPool(1, new OrderWorkers());
    ForkJoinPool forkJoin = new ForkJoinPool(1);
    try {
      Object token = PoolWorkers.adding(pool);
      String poolWorker = ThreadTelemetry.creatorOf(new Thread(() -> {}));
      PoolWorkers.added(token);
      ForkJoinWorkerThread forkJoinWorker =
          ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(forkJoin);

      assertThat(poolWorker).isEqualTo(OrderWorkers.class.getName());
      assertThat(ThreadTelemetry.creatorOf(forkJoinWorker))
          .isEqualTo(ForkJoinPool.defaultForkJoinWorkerThreadFactory.getClass().getName());
      assertThat(ThreadTelemetry.creatorOf(new Thread(() -> {})))
          .as("after the pool added its worker")
          .isEqualTo(ThreadTelemetryTest.class.getName());
    } finally {
      pool.shutdownNow();
      forkJoin.shutdownNow();
    }
  }

  @Test
  void aLambdaFactoryIsTheClassThatDefinedIt() {
    ThreadPoolExecutor pool =
        (ThreadPoolExecutor) Executors.newFixedThreadPool(1, runnable -> new Thread(runnable));
    try {
      Object token = PoolWorkers.adding(pool);
      String creator = ThreadTelemetry.creatorOf(new Thread(() -> {}));
      PoolWorkers.added(token);

      assertThat(creator).isEqualTo(ThreadTelemetryTest.class.getName());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void startsAreCountedByKindDaemonAndCreatorFromBeforeTheSdkWasReady() {
    ThreadTelemetry telemetry = new ThreadTelemetry();
    Thread daemon = new Thread(() -> {});
    daemon.setDaemon(true);
    telemetry.started(daemon, false);
    telemetry.started(new Thread(() -> {}), false);
    telemetry.started(new Thread(() -> {}), false);
    telemetry.started(daemon, true);

    telemetry.register(meters.get("test"));
    Collection<MetricData> metrics = reader.collectAllMetrics();

    String creator = ThreadTelemetryTest.class.getName();
    assertThat(startsOf(metrics, "platform", false, creator)).isEqualTo(2);
    assertThat(startsOf(metrics, "platform", true, creator)).isEqualTo(1);
    assertThat(startsOf(metrics, "virtual", true, creator)).isEqualTo(1);
  }

  @Test
  void creatorsBeyondTheLimitCountAsOther() {
    ThreadTelemetry telemetry = new ThreadTelemetry(1);
    telemetry.started(new Thread(() -> {}), false);
    ThreadPoolExecutor pool =
        (ThreadPoolExecutor) Executors.newFixedThreadPool(1, new OrderWorkers());
    try {
      Object token = PoolWorkers.adding(pool);
      telemetry.started(new Thread(() -> {}), false);
      PoolWorkers.added(token);
    } finally {
      pool.shutdownNow();
    }

    telemetry.register(meters.get("test"));
    Collection<MetricData> metrics = reader.collectAllMetrics();

    assertThat(startsOf(metrics, "platform", false, ThreadTelemetryTest.class.getName()))
        .isEqualTo(1);
    assertThat(startsOf(metrics, "platform", false, ThreadTelemetry.OTHER_CREATOR)).isEqualTo(1);
  }

  @Test
  void liveThreadsAreCountedByDaemonAndState() {
    ThreadTelemetry telemetry = new ThreadTelemetry();
    telemetry.register(meters.get("test"));

    MetricData count =
        reader.collectAllMetrics().stream()
            .filter(metric -> metric.getName().equals("jvm.thread.count"))
            .findFirst()
            .orElseThrow();

    assertThat(count).hasUnit("{thread}");
    long runnableNonDaemon =
        count.getLongSumData().getPoints().stream()
            .filter(
                point ->
                    point
                        .getAttributes()
                        .equals(
                            Attributes.of(
                                ThreadTelemetry.DAEMON, false, ThreadTelemetry.STATE, "runnable")))
            .mapToLong(LongPointData::getValue)
            .sum();
    assertThat(runnableNonDaemon).as("the test thread, at least").isPositive();
  }

  private static long startsOf(
      Collection<MetricData> metrics, String kind, boolean daemon, String creator) {
    Attributes attributes =
        Attributes.of(
            ThreadTelemetry.KIND,
            kind,
            ThreadTelemetry.DAEMON,
            daemon,
            ThreadTelemetry.CREATOR,
            creator);
    return metrics.stream()
        .filter(metric -> metric.getName().equals("opsagent.thread.starts"))
        .flatMap(metric -> metric.getLongSumData().getPoints().stream())
        .filter(point -> point.getAttributes().equals(attributes))
        .mapToLong(LongPointData::getValue)
        .sum();
  }
}
