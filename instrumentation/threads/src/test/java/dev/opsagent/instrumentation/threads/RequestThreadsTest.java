/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.ThreadHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import dev.opsagent.instrumentation.runtime.TestRequest;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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

  private static final long MS = 1_000_000;

  @BeforeAll
  static void install() {
    ThreadCost.monitorContention(true);
    RequestThreads.install(new ThreadTelemetry(), new InstrumentationHealth("threads", 10));
    RequestTasks.install(new InstrumentationHealth("executors", 10));
    hooks = Bridge.threads;
  }

  @AfterEach
  void cleanUp() {
    RequestContext.clearCurrent();
    Bridge.threads = hooks;
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
    assertThat(others[0]).as("CPU ns of the thread, once").isBetween(20 * MS, 35 * MS);
    assertThat(others[5]).as("threads started, counted once").isEqualTo(1);
  }

  @Test
  void aThreadStillRunningWhenTheRecordCompletesAddsItsCostUntilThenAndWorksForItNoLonger()
      throws Exception {
    TestRequest request = new TestRequest();
    TestRequest later = new TestRequest();
    request.makeCurrent();
    CountDownLatch burned = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<RequestContext> currentBefore = new AtomicReference<>();
    AtomicReference<RequestContext> currentAfter = new AtomicReference<>(request);
    AtomicReference<Runnable> laterTask = new AtomicReference<>();
    // A pool's worker, started during the request, that lives on to serve later ones.
    Thread worker =
        new Thread(
            () -> {
              hooks.threadRunning();
              currentBefore.set(RequestContext.current());
              TestRequest.burnCpu(20);
              burned.countDown();
              await(release);
              currentAfter.set(RequestContext.current());
              TestRequest.burnCpu(30);
              laterTask.get().run();
              hooks.threadExiting();
            });
    hooks.threadStarting(worker, false);
    worker.start();
    RequestContext.clearCurrent();
    burned.await();

    AtomicReference<long[]> totals = new AtomicReference<>();
    boolean completedAtOnce = request.endWhenIdle(totals::set);
    later.makeCurrent();
    laterTask.set(Bridge.tasks.wrap(() -> TestRequest.burnCpu(10)));
    RequestContext.clearCurrent();
    release.countDown();
    worker.join();

    assertThat(completedAtOnce)
        .as("a thread started for the request holds it up no longer")
        .isTrue();
    assertThat(currentBefore.get()).isSameAs(request);
    assertThat(totals.get()[0]).as("CPU ns of the thread until then").isBetween(20 * MS, 45 * MS);
    assertThat(totals.get()[1]).as("bytes it allocated until then").isPositive();
    assertThat(totals.get()[5]).as("threads started").isEqualTo(1);
    assertThat(currentAfter.get()).as("current on the thread once the record completed").isNull();
    assertThat(request.lateCpuNanos).as("late work: none, the thread was detached").isEqualTo(-1);
    // Ending again hands over the totals as they are now.
    AtomicReference<long[]> again = new AtomicReference<>();
    request.endWhenIdle(again::set);
    assertThat(again.get()[0]).as("CPU ns once the thread terminated").isEqualTo(totals.get()[0]);
    assertThat(later.finish()[0])
        .as("CPU ns of a later request's task the thread ran")
        .isBetween(10 * MS, 25 * MS);
  }

  @Test
  void aThreadThatTerminatesAsTheRecordCompletesCountsOnce() throws Exception {
    for (int i = 0; i < 300; i++) {
      TestRequest request = new TestRequest();
      request.makeCurrent();
      CountDownLatch burned = new CountDownLatch(1);
      Thread thread =
          new Thread(
              () -> {
                hooks.threadRunning();
                TestRequest.burnCpu(5);
                burned.countDown();
                hooks.threadExiting();
              });
      hooks.threadStarting(thread, false);
      thread.start();
      RequestContext.clearCurrent();
      burned.await();
      // Either the thread or the record goes first; alternate who has a head start.
      for (int spin = i % 3 * 2_000; spin > 0; spin--) {
        Thread.onSpinWait();
      }

      AtomicReference<long[]> totals = new AtomicReference<>();
      assertThat(request.endWhenIdle(totals::set)).isTrue();
      thread.join();

      assertThat(totals.get()[0]).as("CPU ns of the thread, run %d", i).isBetween(5 * MS, 10 * MS);
      assertThat(request.lateCpuNanos).as("late work, run %d", i).isEqualTo(-1);
      AtomicReference<long[]> again = new AtomicReference<>();
      request.endWhenIdle(again::set);
      assertThat(again.get()[0]).as("CPU ns after its exit, run %d", i).isEqualTo(totals.get()[0]);
    }
  }

  @Test
  void withNoThreadStartedForTheRequestNoThreadIsRead() throws Exception {
    AtomicInteger detached = new AtomicInteger();
    Bridge.threads = new CountingDetached(hooks, detached);
    TestRequest none = new TestRequest();
    none.finish();
    TestRequest joined = new TestRequest();
    joined.makeCurrent();
    // A thread that terminated before the record completed is not read either.
    Thread thread =
        new Thread(
            () -> {
              hooks.threadRunning();
              hooks.threadExiting();
            });
    hooks.threadStarting(thread, false);
    RequestContext.clearCurrent();
    thread.start();
    thread.join();
    long[] totals = joined.finish();

    assertThat(detached).as("threads read from outside").hasValue(0);
    assertThat(totals[5]).as("threads started").isEqualTo(1);
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

  @Test
  void aVirtualThreadParkedWhenTheRecordCompletesWorksForItNoLonger() throws Exception {
    TestRequest request = new TestRequest();
    request.makeCurrent();
    CountDownLatch release = new CountDownLatch(1);
    Thread virtual = new Thread(() -> await(release));
    hooks.threadStarting(virtual, true);
    virtual.start();
    RequestContext.clearCurrent();

    Object first = hooks.virtualThreadMounting(virtual);
    TestRequest.burnCpu(10);
    hooks.virtualThreadUnmounted(virtual, first);
    AtomicReference<long[]> totals = new AtomicReference<>();
    boolean completedAtOnce = request.endWhenIdle(totals::set);
    // A slice runs as the grace expires: it is late work.
    Object running = hooks.virtualThreadMounting(virtual);
    request.graceExpired();
    TestRequest.burnCpu(10);
    hooks.virtualThreadUnmounted(virtual, running);
    long late = request.lateCpuNanos;
    Object after = hooks.virtualThreadMounting(virtual);
    release.countDown();
    virtual.join();

    assertThat(completedAtOnce).as("the record waits for the virtual thread").isFalse();
    assertThat(totals.get()[0]).as("CPU ns of the first slice").isBetween(10 * MS, 20 * MS);
    assertThat(late).as("late work of the slice running then").isGreaterThanOrEqualTo(10 * MS);
    assertThat(after).as("a later slice: the thread was detached").isNull();
  }

  /** The installed hooks, counting the threads a record reads from outside. */
  private static final class CountingDetached implements ThreadHooks {
    private final ThreadHooks hooks;
    private final AtomicInteger detached;

    CountingDetached(ThreadHooks hooks, AtomicInteger detached) {
      this.hooks = hooks;
      this.detached = detached;
    }

    @Override
    public void threadStarting(Thread thread, boolean virtual) {
      hooks.threadStarting(thread, virtual);
    }

    @Override
    public void threadRunning() {
      hooks.threadRunning();
    }

    @Override
    public void threadExiting() {
      hooks.threadExiting();
    }

    @Override
    public void threadDetached(Thread thread, long[] cost) {
      detached.incrementAndGet();
      hooks.threadDetached(thread, cost);
    }

    @Override
    public Object poolAddingWorker(Object pool) {
      return hooks.poolAddingWorker(pool);
    }

    @Override
    public void poolWorkerAdded(Object token) {
      hooks.poolWorkerAdded(token);
    }

    @Override
    public Object virtualThreadMounting(Thread virtualThread) {
      return hooks.virtualThreadMounting(virtualThread);
    }

    @Override
    public void virtualThreadUnmounted(Thread virtualThread, Object token) {
      hooks.virtualThreadUnmounted(virtualThread, token);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
