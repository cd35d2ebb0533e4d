/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.CompletableResultCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Exporting through a real exporter that is connected later, on an exporter thread. */
final class Connections {

  /** Longer than connecting ever takes; bounded so that an exporter thread cannot hang. */
  private static final long MAX_WAIT_SECONDS = 30;

  private Connections() {}

  /**
   * Waits for the exporter, then exports with it.
   *
   * @return the export's result; a failure carrying the cause if the exporter could not be created
   */
  static <T> CompletableResultCode export(
      CompletableFuture<T> exporter, Function<T, CompletableResultCode> export) {
    try {
      return export.apply(exporter.get(MAX_WAIT_SECONDS, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      return CompletableResultCode.ofExceptionalFailure(e.getCause());
    } catch (TimeoutException e) {
      return CompletableResultCode.ofExceptionalFailure(
          new IllegalStateException(
              "the exporter was not ready within " + MAX_WAIT_SECONDS + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableResultCode.ofFailure();
    }
  }

  /**
   * @return the result of {@code action} on the exporter if it is connected, else success
   */
  static <T> CompletableResultCode ifConnected(
      CompletableFuture<T> exporter, Function<T, CompletableResultCode> action) {
    T connected =
        exporter.isDone() && !exporter.isCompletedExceptionally() ? exporter.join() : null;
    return connected == null ? CompletableResultCode.ofSuccess() : action.apply(connected);
  }
}
