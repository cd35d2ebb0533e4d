/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the outcome of every export of one signal into what an operator needs: one clear line when
 * export starts failing (naming the endpoint, the cause and the fix), at most one reminder a minute
 * while it keeps failing, and one line when it works again. Counts exported and failed items for
 * the agent's health metrics.
 */
final class ExportHealth {

  private static final Logger logger = LoggerFactory.getLogger(ExportHealth.class);
  private static final long REMINDER_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String what;
  private final String destination;
  private final String fix;
  private final CollectorTls tls;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong failedSinceReport = new AtomicLong();
  private volatile boolean failing;
  private volatile long lastReportNanos;

  /**
   * @param what what is exported, e.g. {@code spans}
   * @param destination where to, e.g. {@code otlp grpc http://localhost:4317}
   * @param fix what the user can do about a failure
   * @param tls the TLS to an {@code https://} receiver, which explains TLS failures; else null
   */
  ExportHealth(String what, String destination, String fix, CollectorTls tls) {
    this.what = what;
    this.destination = destination;
    this.fix = fix;
    this.tls = tls;
  }

  /** Watches one export of {@code count} items. */
  CompletableResultCode watch(CompletableResultCode result, int count) {
    result.whenComplete(
        () -> {
          if (result.isSuccess()) {
            succeeded(count);
          } else {
            failed(count, result.getFailureThrowable());
          }
        });
    return result;
  }

  private void succeeded(int count) {
    exported.addAndGet(count);
    if (failing) {
      failing = false;
      logger.info(
          "exporting {} to {} works again ({} {} were dropped while it failed)",
          what,
          destination,
          failedSinceReport.getAndSet(0),
          what);
    }
  }

  private void failed(int count, Throwable cause) {
    failed.addAndGet(count);
    long dropped = failedSinceReport.addAndGet(count);
    long now = System.nanoTime();
    if (!failing || now - lastReportNanos >= REMINDER_INTERVAL_NANOS) {
      boolean first = !failing;
      failing = true;
      lastReportNanos = now;
      CollectorTls.Explanation tlsFailure = tls == null ? null : tls.explain(cause);
      logger.warn(
          "{} {} to {}: {}. {} dropped so far; {}",
          first ? "cannot export" : "still cannot export",
          what,
          destination,
          tlsFailure == null ? describe(cause) : tlsFailure.reason,
          dropped,
          tlsFailure == null ? fix : tlsFailure.fix);
    }
  }

  /**
   * What went wrong, in a few words: the receiver's answer when there was one, else the failure
   * under the SDK's wrapper.
   */
  static String describe(Throwable cause) {
    if (cause == null) {
      return "the receiver rejected the export";
    }
    if (cause instanceof FailedExportException.HttpExportException) {
      HttpResponse response = ((FailedExportException.HttpExportException) cause).getResponse();
      if (response != null) {
        return "the receiver answered HTTP " + response.getStatusCode();
      }
      return cause.getCause() != null ? describe(cause.getCause()) : "the export failed";
    }
    if (cause instanceof FailedExportException.GrpcExportException) {
      GrpcResponse response = ((FailedExportException.GrpcExportException) cause).getResponse();
      if (response != null) {
        return "the receiver answered gRPC status " + response.getStatusCode();
      }
      return cause.getCause() != null ? describe(cause.getCause()) : "the export failed";
    }
    StringBuilder text = new StringBuilder(cause.getClass().getSimpleName());
    if (cause.getMessage() != null) {
      text.append(' ').append(cause.getMessage());
    }
    Throwable root = cause.getCause();
    if (root != null && root != cause && root.getMessage() != null) {
      text.append(" (").append(root.getMessage()).append(')');
    }
    return text.toString();
  }

  long exported() {
    return exported.get();
  }

  long failed() {
    return failed.get();
  }
}
