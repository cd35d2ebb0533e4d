/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import dev.opsagent.exporter.EndAttributes;
import dev.opsagent.exporter.SpanEnds;
import io.opentelemetry.api.trace.Span;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Calls into the OpenTelemetry SDK made on the application's threads, with the thread's context
 * class loader set to the agent's for the call. The SDK keeps the context class loader of the
 * thread that registers a metric callback, and it registers some lazily, on the thread that first
 * ends a span (the span processor's queue metrics): left as it is, that would be the class loader
 * of the web application serving the request, held for as long as the JVM runs, so the application
 * could never be unloaded.
 */
final class SdkCalls {

  private static final ClassLoader AGENT_LOADER = SdkCalls.class.getClassLoader();

  private SdkCalls() {}

  static void endSpan(Span span, Instant endTime) {
    endSpan(span, SpanEnds.epochNanos(endTime), null);
  }

  /**
   * @param endEpochNanos the span's end, as {@link SpanEnds#epochNanos} gives it
   * @param endAttributes attributes the span ends with ({@link SpanEnds}), or {@code null}
   */
  static void endSpan(Span span, long endEpochNanos, EndAttributes endAttributes) {
    Thread thread = Thread.currentThread();
    ClassLoader application = thread.getContextClassLoader();
    if (application == AGENT_LOADER || !setContextLoader(thread, AGENT_LOADER)) {
      SpanEnds.end(span, endEpochNanos, endAttributes);
      return;
    }
    try {
      SpanEnds.end(span, endEpochNanos, endAttributes);
    } finally {
      thread.setContextClassLoader(application);
    }
  }

  static <T> T call(Supplier<T> sdkCall) {
    Thread thread = Thread.currentThread();
    ClassLoader application = thread.getContextClassLoader();
    if (!setContextLoader(thread, AGENT_LOADER)) {
      return sdkCall.get();
    }
    try {
      return sdkCall.get();
    } finally {
      thread.setContextClassLoader(application);
    }
  }

  /**
   * @return whether the thread took the loader: the JDK's own threads (virtual threads' carriers,
   *     its service threads) refuse any, and theirs is never an application's
   */
  private static boolean setContextLoader(Thread thread, ClassLoader loader) {
    try {
      thread.setContextClassLoader(loader);
      return true;
    } catch (SecurityException | UnsupportedOperationException refused) {
      return false;
    }
  }
}
