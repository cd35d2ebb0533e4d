/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Hands the SDK, built in the background while the application starts, to the instrumentations that
 * were installed before it. A request served while the SDK is still being built waits for it (a
 * bounded wait, once) rather than going unrecorded.
 */
public final class TelemetryHolder {

  private static final long MAX_WAIT_SECONDS = 10;

  private final CountDownLatch settled = new CountDownLatch(1);
  private volatile Telemetry telemetry;

  /** The SDK is ready. */
  public void set(Telemetry ready) {
    telemetry = ready;
    settled.countDown();
  }

  /** The SDK could not be built: record nothing, and stop waiting for it. */
  public void fail() {
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
