/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

import dev.opsagent.config.Keys;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failures of one instrumentation's helpers, the code its advice calls. A helper never lets a
 * failure reach the application: it catches it, reports it here ({@link #failed}) and leaves the
 * application's call as it was. An instrumentation that keeps failing, {@code threshold} times
 * within a minute, is disabled: it starts recording nothing new (work it already started is
 * finished, so no thread keeps a request), and one warning says which, why and what to do. A
 * failure now and then (an odd request) costs that request's data only; every failure is counted,
 * for the {@code opsagent.instrumentation.failures} metric.
 */
public final class InstrumentationHealth {

  private static final Logger logger = LoggerFactory.getLogger(InstrumentationHealth.class);

  /** Failures within this much time count toward the threshold together. */
  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  private static final AttributeKey<String> INSTRUMENTATION_NAME =
      stringKey("opsagent.instrumentation.name");

  private final String instrumentation;
  private final int threshold;
  private final LongSupplier nanoClock;
  private final Attributes attributes;

  /** Test-only: where {@link FaultInjection} may make this instrumentation's helpers fail. */
  private final FaultInjection.Point fault;

  private final AtomicLong failures = new AtomicLong();
  private volatile boolean disabled;

  // The failures counted toward the threshold, since the window's start; guarded by this.
  private long windowStartNanos;
  private int failuresInWindow;

  /**
   * @param instrumentation the instrumentation's name, e.g. {@code jdk-http-server}
   * @param threshold failures within a minute that disable it; 1 disables it at the first
   */
  public InstrumentationHealth(String instrumentation, int threshold) {
    this(instrumentation, threshold, System::nanoTime);
  }

  InstrumentationHealth(String instrumentation, int threshold, LongSupplier nanoClock) {
    this.instrumentation = instrumentation;
    this.threshold = threshold;
    this.nanoClock = nanoClock;
    this.attributes = Attributes.of(INSTRUMENTATION_NAME, instrumentation);
    this.fault = FaultInjection.point(instrumentation);
  }

  /**
   * @return whether the instrumentation is disabled: its helpers start nothing new
   */
  public boolean isDisabled() {
    return disabled;
  }

  /**
   * Test-only: throws here when {@link FaultInjection} names this instrumentation; compiles to
   * nothing otherwise. Helpers pass it once per request, task or thread they take on, inside the
   * code that catches their failures.
   */
  public void checkpoint() {
    FaultInjection.pass(fault);
  }

  /**
   * A helper of this instrumentation failed, and caught {@code cause}; it never throws. The
   * threshold's failure disables the instrumentation and logs the one warning.
   */
  public void failed(Throwable cause) {
    try {
      long total = failures.incrementAndGet();
      if (!countDisables()) {
        logger.debug(
            "instrumentation {} failed ({} failures so far)", instrumentation, total, cause);
        return;
      }
      logger.warn(
          "instrumentation {} is disabled after {} within a minute: it records nothing new until"
              + " the JVM restarts; the application is not affected and the other instrumentations"
              + " keep working. Last failure: {} at {}. Set {}=false to keep it off without this"
              + " warning, and please report it, with the stack traces that {}=debug logs",
          instrumentation,
          threshold == 1 ? "1 failure" : threshold + " failures",
          cause,
          origin(cause),
          Keys.instrumentationEnabled(instrumentation),
          Keys.LOG_LEVEL);
      logger.debug("stack trace of the last failure of instrumentation {}", instrumentation, cause);
    } catch (Throwable ignored) {
      // Logging failed (a full disk, an odd standard error): the count is what matters.
    }
  }

  /**
   * Counts one failure toward the threshold.
   *
   * @return whether it disabled the instrumentation: only one failure ever does
   */
  private synchronized boolean countDisables() {
    if (disabled) {
      return false;
    }
    long now = nanoClock.getAsLong();
    if (failuresInWindow == 0 || now - windowStartNanos > WINDOW_NANOS) {
      windowStartNanos = now;
      failuresInWindow = 0;
    }
    if (++failuresInWindow < threshold) {
      return false;
    }
    disabled = true;
    return true;
  }

  /**
   * Where {@code cause} was thrown: the agent's own frame that threw it or called what did (for a
   * fault a test injected, the point it passed).
   */
  private static String origin(Throwable cause) {
    StackTraceElement[] frames = cause.getStackTrace();
    for (StackTraceElement frame : frames) {
      String type = frame.getClassName();
      if (type.startsWith("dev.opsagent.")
          && !type.startsWith(FaultInjection.class.getName())
          && !type.equals(InstrumentationHealth.class.getName())) {
        return frame.toString();
      }
    }
    return frames.length > 0 ? frames[0].toString() : "an unknown place";
  }

  /**
   * @return every failure counted, those after the instrumentation was disabled included (the end
   *     of work it had started)
   */
  public long failures() {
    return failures.get();
  }

  /**
   * Reports the instrumentations' failures and which are disabled, as metrics: {@code
   * opsagent.instrumentation.failures} (a counter) and {@code opsagent.instrumentation.disabled} (1
   * while disabled, else 0), by {@code opsagent.instrumentation.name}.
   */
  static void register(Meter meter, Collection<InstrumentationHealth> all) {
    meter
        .counterBuilder("opsagent.instrumentation.failures")
        .setUnit("{failure}")
        .setDescription("Failures of the agent's instrumentations, caught before the application.")
        .buildWithCallback(
            measurement ->
                all.forEach(health -> measurement.record(health.failures(), health.attributes)));
    meter
        .gaugeBuilder("opsagent.instrumentation.disabled")
        .ofLongs()
        .setUnit("1")
        .setDescription("1 for an instrumentation that kept failing and disabled itself, else 0.")
        .buildWithCallback(
            measurement ->
                all.forEach(
                    health -> measurement.record(health.disabled ? 1 : 0, health.attributes)));
  }
}
