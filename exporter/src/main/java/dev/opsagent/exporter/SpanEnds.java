/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Ends a span with {@link EndAttributes}: the SDK hands the ending span to the span processor on
 * the thread that ends it, where the agent's processor ({@link SpanQueueLimit}) takes the
 * attributes and queues the span with them ({@link EndAttributesSpan}).
 *
 * <p>The hand-over is a thread-local array of JDK type, emptied after each end: it holds nothing of
 * the agent's once the call returns, so it keeps no class of the agent's loaded after a detach.
 */
public final class SpanEnds {

  /** {@code {span, attributes}} while the span ends on this thread, else {@code {null, null}}. */
  private static final ThreadLocal<Object[]> ENDING = new ThreadLocal<>();

  private SpanEnds() {}

  /**
   * Ends {@code span} at {@code endEpochNanos} ({@link #epochNanos}), with {@code attributes}, if
   * any, after its own.
   */
  public static void end(Span span, long endEpochNanos, EndAttributes attributes) {
    if (attributes == null) {
      span.end(endEpochNanos, TimeUnit.NANOSECONDS);
      return;
    }
    Object[] ending = ENDING.get();
    if (ending == null) {
      ending = new Object[2];
      ENDING.set(ending);
    }
    ending[0] = span;
    ending[1] = attributes;
    try {
      span.end(endEpochNanos, TimeUnit.NANOSECONDS);
    } finally {
      ending[0] = null;
      ending[1] = null;
    }
  }

  /**
   * @return {@code time} in nanoseconds since the epoch, as {@code Span.end(Instant)} reads it
   */
  public static long epochNanos(Instant time) {
    return TimeUnit.SECONDS.toNanos(time.getEpochSecond()) + time.getNano();
  }

  /**
   * @return {@code span} with the attributes it ends with, if it is ending through {@link #end} on
   *     this thread, else {@code span} itself
   */
  static ReadableSpan withEndAttributes(ReadableSpan span, int maxAttributes) {
    Object[] ending = ENDING.get();
    if (ending == null || ending[0] != span) {
      return span;
    }
    EndAttributes attributes = (EndAttributes) ending[1];
    ending[0] = null;
    ending[1] = null;
    return new EndAttributesSpan(span, attributes, maxAttributes);
  }
}
