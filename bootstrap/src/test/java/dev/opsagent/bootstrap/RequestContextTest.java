/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which request is current on a thread, and how a detach takes every thread's away. */
class RequestContextTest {

  private static final class Request extends RequestContext {
    @Override
    protected void lateWork(long cpuNanos, long allocatedBytes) {}
  }

  @AfterEach
  void clear() {
    RequestContext.clearCurrent();
  }

  @Test
  void aRequestIsCurrentOnTheThreadThatMadeItCurrentUntilCleared() throws Exception {
    Request request = new Request();
    request.makeCurrent();

    AtomicReference<RequestContext> onOtherThread = new AtomicReference<>(request);
    Thread other = new Thread(() -> onOtherThread.set(RequestContext.current()));
    other.start();
    other.join();

    assertThat(RequestContext.current()).isSameAs(request);
    assertThat(onOtherThread.get()).isNull();
    RequestContext.clearCurrent();
    assertThat(RequestContext.current()).isNull();
  }

  @Test
  void dropAllTakesTheCurrentRequestFromEveryThread() throws Exception {
    CountDownLatch current = new CountDownLatch(1);
    CountDownLatch dropped = new CountDownLatch(1);
    AtomicReference<RequestContext> afterDrop = new AtomicReference<>(new Request());
    Thread worker =
        new Thread(
            () -> {
              new Request().makeCurrent();
              current.countDown();
              try {
                dropped.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              afterDrop.set(RequestContext.current());
            });
    worker.start();
    assertThat(current.await(10, TimeUnit.SECONDS)).isTrue();
    new Request().makeCurrent();

    RequestContext.dropAll();
    dropped.countDown();
    worker.join();

    assertThat(afterDrop.get()).isNull();
    assertThat(RequestContext.current()).isNull();
  }
}
