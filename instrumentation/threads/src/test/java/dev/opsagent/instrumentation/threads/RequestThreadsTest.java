/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.ThreadHooks;
import dev.opsagent.instrumentation.runtime.TestRequest;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Threads started for a request, as the advice on {@code Thread} drives them; here each test calls
 * the hooks itself where the advice would.
 */
class RequestThreadsTest {

  private static ThreadHooks hooks;

  @BeforeAll
  static void install() {
    ThreadCost.monitorContention(true);
    RequestThreads.install(new ThreadTelemetry());
    hooks = Bridge.threads;
  }

  @AfterEach
  void cleanUp() {
    RequestContext.clearCurrent();
  }

  @Test
  void aThreadStartedForTheRequestWorksForItAndAddsItsWholeCost() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    AtomicReference<RequestContext> currentInThread = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              hooks.threadRunning();
              currentInThread.set(RequestContext.current());
              TestRequest.burnCpu(20);
              hooks.threadExiting();
            });
    hooks.threadStarting(thread, false);
    hooks.threadStarting(thread, false);
    thread.start();
    thread.join();

    long[] others = request.finish();
    assertThat(currentInThread.get()).isSameAs(request);
    assertThat(others[0]).as("CPU ns of the thread").isGreaterThanOrEqualTo(15_000_000);
    assertThat(others[5]).as("threads started, counted once").isEqualTo(1);
  }

  @Test
  void aThreadStartedWithNoRequestWorksForNone() throws Exception {
    AtomicReference<RequestContext> currentInThread = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              hooks.threadRunning();
              currentInThread.set(RequestContext.current());
              hooks.threadExiting();
            });
    hooks.threadStarting(thread, false);
    thread.start();
    thread.join();

    assertThat(currentInThread.get()).isNull();
  }

  @Test
  void aPoolWorkerStartedDuringARequestIsNotTheRequestsThread() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    Thread worker = new Thread(() -> {});
    java.util.concurrent.ThreadPoolExecutor pool =
        (java.util.concurrent.ThreadPoolExecutor)
            java.util.concurrent.Executors.newFixedThreadPool(1);
    try {
      // As the advice on ThreadPoolExecutor.addWorker announces the worker it starts.
      Object token = hooks.poolAddingWorker(pool);
      hooks.threadStarting(worker, false);
      hooks.poolWorkerAdded(token);
    } finally {
      pool.shutdownNow();
    }

    assertThat(request.finish()[5]).as("threads started for the request").isZero();
  }

  @Test
  void aVirtualThreadsSlicesOnCarriersAddUpAndTheLastFinishesItsWork() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    // Stands for the virtual thread: the hooks only use its identity and whether it is alive.
    CountDownLatch release = new CountDownLatch(1);
    Thread virtual = new Thread(() -> await(release));
    hooks.threadStarting(virtual, true);
    virtual.start();
    RequestContext.clearCurrent();

    // Two slices, each measured on the carrier (here, the test thread): one while the thread is
    // alive, parked after it; the last after it ended.
    Object first = hooks.virtualThreadMounting(virtual);
    TestRequest.burnCpu(10);
    hooks.virtualThreadUnmounted(virtual, first);
    release.countDown();
    virtual.join();
    Object last = hooks.virtualThreadMounting(virtual);
    TestRequest.burnCpu(10);
    hooks.virtualThreadUnmounted(virtual, last);

    AtomicReference<long[]> totals = new AtomicReference<>();
    assertThat(request.endWhenIdle(totals::set)).as("no work left running").isTrue();
    assertThat(totals.get()[0]).as("CPU ns of both slices").isGreaterThanOrEqualTo(18_000_000);
    assertThat(totals.get()[5]).as("threads started").isEqualTo(1);
    assertThat(hooks.virtualThreadMounting(virtual)).as("forgotten once finished").isNull();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
