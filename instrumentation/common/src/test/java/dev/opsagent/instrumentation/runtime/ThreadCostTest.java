/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Runs on the HotSpot JVM of the build, which has both counters on platform threads. No timing is
 * asserted: only that the counters exist and move.
 */
class ThreadCostTest {

  /** Keeps allocations reachable so the JIT cannot prove them dead and remove them. */
  private static volatile Object sink;

  @Test
  void cpuTimeIsAvailableAndNonNegativeOnAPlatformThread() {
    assertThat(ThreadCost.cpuTimeNanos()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void allocatedBytesIsAvailableAndNonNegativeOnAPlatformThread() {
    assertThat(ThreadCost.allocatedBytes()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void cpuTimeGrowsWhileTheThreadComputes() {
    long start = ThreadCost.cpuTimeNanos();
    long end = start;
    long work = 0;
    // Compute until the clock moves; bounded so a broken clock fails instead of hanging.
    for (int round = 0; round < 10_000 && end <= start; round++) {
      for (int i = 0; i < 100_000; i++) {
        work += (long) i * i ^ work;
      }
      end = ThreadCost.cpuTimeNanos();
    }
    sink = work;

    assertThat(ThreadCost.delta(start, end)).isPositive();
  }

  @Test
  void allocatedBytesGrowsByAtLeastWhatTheThreadAllocates() {
    long start = ThreadCost.allocatedBytes();
    sink = new byte[1_000_000];
    long end = ThreadCost.allocatedBytes();

    assertThat(ThreadCost.delta(start, end)).isGreaterThanOrEqualTo(1_000_000);
  }

  @Test
  void allocationsOfAnotherThreadAreNotCounted() throws InterruptedException {
    long start = ThreadCost.allocatedBytes();
    Thread other = new Thread(() -> sink = new byte[50_000_000]);
    other.start();
    other.join();
    long end = ThreadCost.allocatedBytes();

    assertThat(ThreadCost.delta(start, end)).isLessThan(50_000_000);
  }

  @Test
  void anotherThreadIsReadByItsIdWhileItIsAlive() throws InterruptedException {
    CountDownLatch allocated = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread other =
        new Thread(
            () -> {
              sink = new byte[5_000_000];
              allocated.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    other.start();
    allocated.await();
    ThreadCost.Reading alive = ThreadCost.read(other);
    release.countDown();
    other.join();
    ThreadCost.Reading terminated = ThreadCost.read(other);

    assertThat(alive.cpuNanos).isGreaterThanOrEqualTo(0);
    assertThat(alive.allocatedBytes).isGreaterThanOrEqualTo(5_000_000);
    assertThat(terminated.cpuNanos).isEqualTo(ThreadCost.UNAVAILABLE);
    assertThat(terminated.allocatedBytes).isEqualTo(ThreadCost.UNAVAILABLE);
    assertThat(terminated.blockedNanos).isEqualTo(ThreadCost.UNAVAILABLE);
  }

  @Test
  void deltaIsEndMinusStart() {
    assertThat(ThreadCost.delta(10, 25)).isEqualTo(15);
    assertThat(ThreadCost.delta(0, 0)).isZero();
    assertThat(ThreadCost.delta(0, 7)).isEqualTo(7);
  }

  @Test
  void deltaIsUnavailableWhenEitherReadingIs() {
    assertThat(ThreadCost.delta(ThreadCost.UNAVAILABLE, 25)).isEqualTo(ThreadCost.UNAVAILABLE);
    assertThat(ThreadCost.delta(10, ThreadCost.UNAVAILABLE)).isEqualTo(ThreadCost.UNAVAILABLE);
    assertThat(ThreadCost.delta(ThreadCost.UNAVAILABLE, ThreadCost.UNAVAILABLE))
        .isEqualTo(ThreadCost.UNAVAILABLE);
  }

  @Test
  void unavailableIsMinusOne() {
    assertThat(ThreadCost.UNAVAILABLE).isEqualTo(-1L);
  }
}
