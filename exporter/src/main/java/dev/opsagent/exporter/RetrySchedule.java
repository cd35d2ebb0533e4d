/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;

/**
 * When one export is tried again, by the SDK's {@link RetryPolicy}: exponential back-off with
 * jitter, the receiver's {@code Retry-After} instead where it gives one, and never beyond the
 * export's deadline, so that a retried export still ends within its time limit. One instance per
 * export; not thread-safe.
 */
final class RetrySchedule {

  /**
   * The answers worth trying again, the same as the SDK's exporters retry: too many requests, bad
   * gateway, unavailable, gateway time-out.
   */
  static boolean isRetryable(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
  }

  /**
   * Without a predicate in the policy: every I/O failure (refused or reset connection, time-out,
   * unknown host) but TLS ones, which a retry does not heal (a certificate the client does not
   * trust stays untrusted).
   */
  static boolean isRetryable(IOException failure) {
    return !(failure instanceof SSLException);
  }

  private final RetryPolicy policy;
  private final long deadlineNanos;
  private final Predicate<IOException> retryableFailure;
  private int attempts;
  private long nextBackoffNanos;

  /**
   * @param policy null: no retry
   * @param deadlineNanos the {@link System#nanoTime()} by which the export must end; {@link
   *     Long#MAX_VALUE}: none
   */
  RetrySchedule(RetryPolicy policy, long deadlineNanos) {
    this.policy = policy;
    this.deadlineNanos = deadlineNanos;
    Predicate<IOException> predicate = policy == null ? null : policy.getRetryExceptionPredicate();
    this.retryableFailure = predicate != null ? predicate : RetrySchedule::isRetryable;
    this.nextBackoffNanos = policy == null ? 0 : policy.getInitialBackoff().toNanos();
  }

  /** Counts one attempt; call before each try. */
  void attempt() {
    attempts++;
  }

  boolean canRetry(IOException failure) {
    return attemptsLeft() && retryableFailure.test(failure);
  }

  boolean canRetry(int status) {
    return attemptsLeft() && isRetryable(status);
  }

  private boolean attemptsLeft() {
    return policy != null && attempts < policy.getMaxAttempts();
  }

  /**
   * The pause before the next attempt, and the next back-off after it.
   *
   * @param retryAfterNanos what the receiver asked for, or -1
   * @param nowNanos {@link System#nanoTime()}
   * @param jitter a factor between 0.8 and 1.2
   * @return nanoseconds to wait, or -1 when the next attempt could not end before the deadline:
   *     then the export ends with the last outcome at once, rather than sleeping away its time
   */
  long nextDelayNanos(long retryAfterNanos, long nowNanos, double jitter) {
    long backoff = Math.min(nextBackoffNanos, policy.getMaxBackoff().toNanos());
    nextBackoffNanos = (long) (backoff * policy.getBackoffMultiplier());
    long delay = retryAfterNanos >= 0 ? retryAfterNanos : (long) (backoff * jitter);
    if (deadlineNanos != Long.MAX_VALUE && deadlineNanos - nowNanos - delay <= 0) {
      return -1;
    }
    return delay;
  }

  /** {@link #nextDelayNanos(long, long, double)} now, with random jitter. */
  long nextDelayNanos(long retryAfterNanos) {
    return nextDelayNanos(
        retryAfterNanos, System.nanoTime(), ThreadLocalRandom.current().nextDouble(0.8, 1.2));
  }

  /**
   * A {@code Retry-After} value (RFC 9110): seconds, or an HTTP date.
   *
   * @return nanoseconds from {@code now}, at least 0; -1 if absent or unreadable
   */
  static long retryAfterNanos(String value, Instant now) {
    if (value == null || value.isEmpty()) {
      return -1;
    }
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? -1 : Duration.ofSeconds(Math.min(seconds, 86_400)).toNanos();
    } catch (NumberFormatException notSeconds) {
      // An HTTP date, perhaps.
    }
    try {
      Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      long seconds = Math.min(Duration.between(now, at).getSeconds(), 86_400);
      return seconds <= 0 ? 0 : Duration.ofSeconds(seconds).toNanos();
    } catch (DateTimeParseException | ArithmeticException unreadable) {
      return -1;
    }
  }
}
