/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.HttpResponse;
import java.net.ProtocolException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the outcome of every export of one signal into what an operator needs: one clear line when
 * export starts failing (naming the endpoint, the cause and the fix), at most one reminder a minute
 * while it keeps failing, and one line when it works again; items dropped from a full queue while
 * export works get one line too, then at most one a minute. Counts exported, failed and dropped
 * items for the agent's health metrics.
 */
final class ExportHealth {

  private static final Logger logger = LoggerFactory.getLogger(ExportHealth.class);
  private static final long REMINDER_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final int MAX_MESSAGE_CHARS = 120;
  private static final String QUEUE_FIX =
      "raise otel.bsp.max.queue.size (OTEL_BSP_MAX_QUEUE_SIZE), or lower otel.bsp.schedule.delay";

  private final String what;
  private final String destination;
  private final String fix;
  private final CollectorTls tls;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final LongAdder dropped = new LongAdder();

  /** Items failed or dropped since a line reported them. */
  private final LongAdder lostSinceReport = new LongAdder();

  // Guarded by this: changed once per export, never on the application's threads.
  private boolean failing;
  private long lastFailureReportNanos;
  private long lastDropReportNanos;

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
    this.lastDropReportNanos = System.nanoTime() - REMINDER_INTERVAL_NANOS;
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

  /**
   * {@code count} items were dropped before export, the queue being full. On the application's
   * threads: counted only; the outcome of the next export reports them.
   */
  void dropped(int count) {
    dropped.add(count);
    lostSinceReport.add(count);
  }

  private synchronized void succeeded(int count) {
    exported.addAndGet(count);
    long now = System.nanoTime();
    if (failing) {
      failing = false;
      // The queue that filled meanwhile goes on dropping until it drained: part of this failure,
      // so no line about it for a minute.
      lastDropReportNanos = now;
      logger.info(
          "exporting {} to {} works again ({} {} were dropped while it failed)",
          what,
          destination,
          lostSinceReport.sumThenReset(),
          what);
    } else if (now - lastDropReportNanos >= REMINDER_INTERVAL_NANOS && lostSinceReport.sum() > 0) {
      lastDropReportNanos = now;
      logger.warn(
          "{} {} dropped: the export queue was full, although exporting to {} works; the"
              + " application ends {} faster than they are exported: {}",
          lostSinceReport.sumThenReset(),
          what,
          destination,
          what,
          QUEUE_FIX);
    }
  }

  private synchronized void failed(int count, Throwable cause) {
    failed.addAndGet(count);
    lostSinceReport.add(count);
    long now = System.nanoTime();
    if (!failing || now - lastFailureReportNanos >= REMINDER_INTERVAL_NANOS) {
      boolean first = !failing;
      failing = true;
      lastFailureReportNanos = now;
      CollectorTls.Explanation tlsFailure = tls == null ? null : tls.explain(cause);
      logger.warn(
          "{} {} to {}: {}. {} dropped so far; {}",
          first ? "cannot export" : "still cannot export",
          what,
          destination,
          tlsFailure == null ? describe(cause) : tlsFailure.reason,
          lostSinceReport.sum(),
          tlsFailure == null ? fix : tlsFailure.fix);
    } else if (logger.isDebugEnabled()) {
      logger.debug("export of {} {} to {} failed: {}", count, what, destination, describe(cause));
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
    if (cause instanceof ProtocolException && cause.getMessage() != null) {
      // Not an OTLP receiver speaking HTTP: a gRPC port, or another service altogether.
      return "the receiver's answer is not valid HTTP: " + quoted(cause.getMessage());
    }
    StringBuilder text = new StringBuilder(cause.getClass().getSimpleName());
    String message = cause.getMessage();
    if (message != null) {
      text.append(' ').append(quoted(message));
    }
    Throwable root = cause.getCause();
    if (root != null
        && root != cause
        && root.getMessage() != null
        && (message == null || !message.contains(root.getMessage()))) {
      text.append(" (").append(quoted(root.getMessage())).append(')');
    }
    return text.toString();
  }

  /**
   * A message fit for one short log line, in ASCII: a receiver that answers garbage gets it quoted
   * in the client's message (an invalid status line), control characters and all.
   */
  private static String quoted(String message) {
    StringBuilder text = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS + 3));
    for (int i = 0; i < message.length() && i < MAX_MESSAGE_CHARS; i++) {
      char c = message.charAt(i);
      text.append(c < ' ' || c > '~' ? '?' : c);
    }
    if (message.length() > MAX_MESSAGE_CHARS) {
      text.append("...");
    }
    return text.toString();
  }

  long exported() {
    return exported.get();
  }

  long failed() {
    return failed.get();
  }

  long dropped() {
    return dropped.sum();
  }
}
