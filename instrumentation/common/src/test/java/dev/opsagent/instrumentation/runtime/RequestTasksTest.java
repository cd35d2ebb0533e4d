/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.TaskHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-off of a request to tasks, and the accounting of their cost. */
class RequestTasksTest {

  private static final InstrumentationHealth health = new InstrumentationHealth("executors", 10);
  private static TaskHooks hooks;
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @BeforeAll
  static void install() {
    ThreadCost.monitorContention(true);
    RequestTasks.install(health);
    hooks = Bridge.tasks;
  }

  @AfterEach
  void cleanUp() {
    RequestContext.clearCurrent();
    pool.shutdownNow();
  }

  @Test
  void installIsIdempotent() {
    RequestTasks.install(health);
    assertThat(Bridge.tasks).isSameAs(hooks).isInstanceOf(RequestTasks.class);
  }

  @Test
  void withNoRequestCurrentTasksAreLeftAsTheyAre() {
    Runnable runnable = () -> {};
    Callable<String> callable = () -> "x";

    assertThat(hooks.wrap(runnable)).isSameAs(runnable);
    assertThat(hooks.wrap(callable)).isSameAs(callable);
    assertThat(hooks.wrap((Runnable) null)).isNull();
  }

  @Test
  void aFutureTaskIsNeverWrappedNorWrappedTwice() {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    FutureTask<String> future = new FutureTask<>(() -> "x");
    Runnable wrapped = hooks.wrap(() -> {});

    assertThat(hooks.wrap(future)).isSameAs(future);
    assertThat(hooks.wrap(wrapped)).isSameAs(wrapped);
    assertThat(request.finish()[4]).as("tasks handed off").isEqualTo(1);
  }

  @Test
  void aWrappedTaskRunsForTheRequestOnAnotherThreadAndAddsItsCost() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    AtomicReference<RequestContext> currentInTask = new AtomicReference<>();
    Runnable task =
        hooks.wrap(
            () -> {
              currentInTask.set(RequestContext.current());
              TestRequest.burnCpu(20);
            });
    RequestContext.clearCurrent();

    pool.submit(task).get();
    AtomicReference<RequestContext> currentAfter = new AtomicReference<>(request);
    pool.submit(() -> currentAfter.set(RequestContext.current())).get();

    long[] others = request.finish();
    assertThat(currentInTask.get()).isSameAs(request);
    assertThat(currentAfter.get()).as("the pool thread after the task").isNull();
    assertThat(others[0]).as("CPU ns of the task").isGreaterThanOrEqualTo(15_000_000);
    assertThat(others[4]).as("tasks handed off").isEqualTo(1);
  }

  @Test
  void whenTheAccountingOfATaskFailsItRunsAsWithoutTheAgentAndTheFailureIsCounted()
      throws Exception {
    RequestContext broken =
        new RequestContext() {
          @Override
          protected void lateWork(long cpuNanos, long allocatedBytes) {}

          @Override
          public Object taskSpanStarting(Object task) {
            throw new IllegalStateException("helper bug");
          }
        };
    broken.makeCurrent();
    AtomicReference<RequestContext> currentInTask = new AtomicReference<>(broken);
    Callable<?> task =
        hooks.wrap(
            () -> {
              currentInTask.set(RequestContext.current());
              return "answer";
            });
    Callable<?> throwing =
        hooks.wrap(
            () -> {
              throw new IOException("the task's own");
            });
    RequestContext.clearCurrent();
    long failuresBefore = health.failures();

    Object answer = pool.submit(task).get();
    Throwable thrown = catchThrowable(() -> pool.submit(throwing).get());
    AtomicReference<RequestContext> currentAfter = new AtomicReference<>(broken);
    pool.submit(() -> currentAfter.set(RequestContext.current())).get();

    assertThat(answer).isEqualTo("answer");
    assertThat(currentInTask.get()).as("the request while the task ran").isNull();
    assertThat(thrown).isInstanceOf(ExecutionException.class);
    assertThat(thrown.getCause()).isInstanceOf(IOException.class).hasMessage("the task's own");
    assertThat(currentAfter.get()).as("the pool thread after the tasks").isNull();
    assertThat(health.failures() - failuresBefore).isEqualTo(2);
    assertThat(health.isDisabled()).isFalse();
  }

  @Test
  void aTaskRunByTheThreadAlreadyWorkingForTheRequestIsNotCountedTwice() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    Callable<?> task =
        hooks.wrap(
            () -> {
              TestRequest.burnCpu(10);
              return null;
            });

    task.call();

    assertThat(RequestContext.current()).isSameAs(request);
    assertThat(request.finish()[0]).as("CPU ns added by other threads").isZero();
  }

  @Test
  void workFinishingAfterTheRequestEndedIsLateWork() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    Runnable task = hooks.wrap(() -> TestRequest.burnCpu(10));
    RequestContext.clearCurrent();
    request.finish();

    pool.submit(task).get();

    assertThat(request.lateCpuNanos).isGreaterThanOrEqualTo(5_000_000);
  }

  @Test
  void theRecordWaitsForWorkThatWokeTheRequestThreadBeforeItsLastInstructions() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    CountDownLatch signalled = new CountDownLatch(1);
    Runnable task =
        hooks.wrap(
            () -> {
              signalled.countDown();
              TestRequest.burnCpu(20);
            });
    RequestContext.clearCurrent();
    pool.execute(task);
    signalled.await();

    AtomicReference<long[]> totals = new AtomicReference<>();
    boolean completedAtOnce = request.endWhenIdle(totals::set);
    pool.submit(() -> {}).get();

    assertThat(completedAtOnce).as("completed while the task still ran").isFalse();
    assertThat(totals.get()).as("completed by the task as it finished").isNotNull();
    assertThat(totals.get()[0]).as("CPU ns of the task").isGreaterThanOrEqualTo(15_000_000);
    assertThat(request.lateCpuNanos).as("late work").isEqualTo(-1);
  }

  @Test
  void workStillRunningAfterTheGraceIsLateWork() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    CountDownLatch signalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Runnable task =
        hooks.wrap(
            () -> {
              signalled.countDown();
              await(release);
              TestRequest.burnCpu(10);
            });
    RequestContext.clearCurrent();
    pool.execute(task);
    signalled.await();

    AtomicReference<long[]> totals = new AtomicReference<>();
    request.endWhenIdle(totals::set);
    request.graceExpired();
    release.countDown();
    pool.submit(() -> {}).get();

    assertThat(totals.get()[0]).as("CPU ns in the record").isZero();
    assertThat(request.lateCpuNanos).as("late work").isGreaterThanOrEqualTo(5_000_000);
  }

  @Test
  void aPeriodicTaskStopsWorkingForTheRequestOnceItEnded() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    AtomicReference<RequestContext> current = new AtomicReference<>();
    Runnable task = hooks.wrap(() -> current.set(RequestContext.current()));
    RequestContext.clearCurrent();

    pool.submit(task).get();
    assertThat(current.get()).as("first run, request still going").isSameAs(request);
    request.finish();
    pool.submit(task).get();

    assertThat(current.get()).as("a repetition after the request ended").isNull();
  }

  @Test
  void aThreadStillHoldingACompletedRequestWorksForNone() {
    TestRequest first = new TestRequest();
    TestRequest second = new TestRequest();
    second.makeCurrent();
    Runnable secondsTask = hooks.wrap(() -> TestRequest.burnCpu(10));
    // As a pool's worker started for the first request holds it once its record completed.
    first.makeCurrent();
    first.finish();

    assertThat(RequestContext.current()).as("a completed request").isNull();
    Runnable task = () -> {};
    assertThat(hooks.wrap(task)).as("a hand-off, for no request").isSameAs(task);
    first.makeCurrent();
    secondsTask.run();

    assertThat(second.finish()[0])
        .as("CPU ns of the second request's task, measured on the thread")
        .isGreaterThanOrEqualTo(8_000_000);
    assertThat(RequestContext.current()).isNull();
    assertThat(first.lateCpuNanos).as("late work of the first").isEqualTo(-1);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
