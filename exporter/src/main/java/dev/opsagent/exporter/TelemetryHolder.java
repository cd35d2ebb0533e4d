/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands the SDK, built on the agent's start-up thread, to the instrumentations, which are created
 * before it. The weaver is installed only once the SDK is here, so woven code finds it; the bounded
 * wait of {@link #get()} covers only code that runs between the two.
 */
public final class TelemetryHolder {

  private static final long MAX_WAIT_SECONDS = 10;

  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile Telemetry telemetry;

  /** Waiting for the SDK, until it is ready; guarded by this. */
  private List<Consumer<Telemetry>> waiting = new ArrayList<>();

  /** The SDK is ready. */
  public void set(Telemetry ready) {
    List<Consumer<Telemetry>> toCall;
    synchronized (this) {
      telemetry = ready;
      toCall = waiting;
      waiting = null;
    }
    settled.countDown();
    if (toCall != null) {
      toCall.forEach(consumer -> consumer.accept(ready));
    }
  }

  /**
   * Calls {@code consumer} with the SDK once it is ready (now, if it is), on the thread that made
   * it ready; never if it could not be built. For instruments whose callbacks read counts kept
   * since before the SDK existed.
   */
  public void whenReady(Consumer<Telemetry> consumer) {
    Telemetry ready;
    synchronized (this) {
      ready = telemetry;
      if (ready == null) {
        if (waiting != null) {
          waiting.add(consumer);
        }
        return;
      }
    }
    consumer.accept(ready);
  }

  /** The SDK could not be built: record nothing, and stop waiting for it. */
  public void fail() {
    synchronized (this) {
      waiting = null;
    }
    settled.countDown();
  }

  /**
   * @return the SDK, or {@code null} if it could not be built (or not within the bounded wait)
   */
  public Telemetry get() {
    Telemetry ready = telemetry;
    if (ready != null) {
      return ready;
    }
    try {
      settled.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return telemetry;
  }
}
