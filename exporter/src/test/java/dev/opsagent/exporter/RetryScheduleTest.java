/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  private static RetryPolicy policy(int attempts) {
    return RetryPolicy.builder()
        .setMaxAttempts(attempts)
        .setInitialBackoff(Duration.ofSeconds(1))
        .setMaxBackoff(Duration.ofSeconds(5))
        .setBackoffMultiplier(1.5)
        .build();
  }

  @Test
  void retriesTheStatusesTheSdkRetries() {
    assertThat(RetrySchedule.isRetryable(429)).isTrue();
    assertThat(RetrySchedule.isRetryable(502)).isTrue();
    assertThat(RetrySchedule.isRetryable(503)).isTrue();
    assertThat(RetrySchedule.isRetryable(504)).isTrue();
    assertThat(RetrySchedule.isRetryable(200)).isFalse();
    assertThat(RetrySchedule.isRetryable(400)).isFalse();
    assertThat(RetrySchedule.isRetryable(401)).isFalse();
    assertThat(RetrySchedule.isRetryable(500)).isFalse();
  }

  @Test
  void retriesIoFailuresButNotTls() {
    assertThat(RetrySchedule.isRetryable(new ConnectException())).isTrue();
    assertThat(RetrySchedule.isRetryable(new HttpTimeoutException("request timed out"))).isTrue();
    assertThat(RetrySchedule.isRetryable(new IOException("connection reset"))).isTrue();
    assertThat(RetrySchedule.isRetryable(new SSLHandshakeException("untrusted"))).isFalse();
  }

  @Test
  void stopsAfterThePolicysAttempts() {
    RetrySchedule schedule = new RetrySchedule(policy(3), Long.MAX_VALUE);
    schedule.attempt();
    assertThat(schedule.canRetry(503)).isTrue();
    schedule.attempt();
    assertThat(schedule.canRetry(new ConnectException())).isTrue();
    schedule.attempt();
    assertThat(schedule.canRetry(503)).isFalse();
    assertThat(schedule.canRetry(new ConnectException())).isFalse();
  }

  @Test
  void noPolicyMeansOneAttempt() {
    RetrySchedule schedule = new RetrySchedule(null, Long.MAX_VALUE);
    schedule.attempt();
    assertThat(schedule.canRetry(503)).isFalse();
    assertThat(schedule.canRetry(new ConnectException())).isFalse();
  }

  @Test
  void thePolicysPredicateDecidesWhichFailuresAreRetried() {
    RetryPolicy onlyTimeouts =
        policy(5).toBuilder()
            .setRetryExceptionPredicate(e -> e instanceof HttpTimeoutException)
            .build();
    RetrySchedule schedule = new RetrySchedule(onlyTimeouts, Long.MAX_VALUE);
    schedule.attempt();
    assertThat(schedule.canRetry(new ConnectException())).isFalse();
    assertThat(schedule.canRetry(new HttpTimeoutException("request timed out"))).isTrue();
  }

  @Test
  void backsOffExponentiallyUpToTheMaximum() {
    RetrySchedule schedule = new RetrySchedule(policy(5), Long.MAX_VALUE);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(SECOND);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(SECOND * 3 / 2);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(SECOND * 9 / 4);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(SECOND * 27 / 8);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(5 * SECOND);
    assertThat(schedule.nextDelayNanos(-1, 0, 0.8)).as("jitter").isEqualTo(4 * SECOND);
  }

  @Test
  void retryAfterReplacesTheBackOff() {
    RetrySchedule schedule = new RetrySchedule(policy(5), Long.MAX_VALUE);
    assertThat(schedule.nextDelayNanos(7 * SECOND, 0, 1.0)).isEqualTo(7 * SECOND);
    assertThat(schedule.nextDelayNanos(0, 0, 1.0)).isZero();
  }

  @Test
  void givesUpAtOnceWhenTheNextAttemptCouldNotEndBeforeTheDeadline() {
    long deadline = 10 * SECOND;
    RetrySchedule schedule = new RetrySchedule(policy(5), deadline);
    assertThat(schedule.nextDelayNanos(-1, 0, 1.0)).isEqualTo(SECOND);
    assertThat(schedule.nextDelayNanos(-1, 9 * SECOND, 1.0)).isEqualTo(-1);
    RetrySchedule askedTooMuch = new RetrySchedule(policy(5), deadline);
    assertThat(askedTooMuch.nextDelayNanos(30 * SECOND, 0, 1.0)).isEqualTo(-1);
  }

  @Test
  void readsRetryAfterAsSecondsOrAnHttpDate() {
    assertThat(RetrySchedule.retryAfterNanos("3", NOW)).isEqualTo(3 * SECOND);
    assertThat(RetrySchedule.retryAfterNanos(" 0 ", NOW)).isZero();
    String inTwoMinutes =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atZone(ZoneOffset.UTC));
    assertThat(RetrySchedule.retryAfterNanos(inTwoMinutes, NOW)).isEqualTo(120 * SECOND);
    String past =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(5).atZone(ZoneOffset.UTC));
    assertThat(RetrySchedule.retryAfterNanos(past, NOW)).isZero();
  }

  @Test
  void ignoresAnAbsentOrUnreadableRetryAfter() {
    assertThat(RetrySchedule.retryAfterNanos(null, NOW)).isEqualTo(-1);
    assertThat(RetrySchedule.retryAfterNanos("", NOW)).isEqualTo(-1);
    assertThat(RetrySchedule.retryAfterNanos("soon", NOW)).isEqualTo(-1);
    assertThat(RetrySchedule.retryAfterNanos("-3", NOW)).isEqualTo(-1);
  }

  @Test
  void capsAnAbsurdRetryAfterAtADay() {
    assertThat(RetrySchedule.retryAfterNanos("99999999999", NOW))
        .isEqualTo(TimeUnit.DAYS.toNanos(1));
  }
}
