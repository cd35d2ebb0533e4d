/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;

/** A span processor that keeps every span handed to it at its end, in order. */
final class EndedSpans implements SpanProcessor {

  private final List<SpanData> spans = new ArrayList<>();

  /** The spans ended so far; the list is live. */
  List<SpanData> spans() {
    return spans;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {}

  @Override
  public boolean isStartRequired() {
    return false;
  }

  @Override
  public void onEnd(ReadableSpan span) {
    spans.add(span.toSpanData());
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }
}
