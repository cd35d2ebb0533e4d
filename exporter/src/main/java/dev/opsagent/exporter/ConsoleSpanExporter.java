/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints each span on standard output, attributes sorted by name: for trying the agent out with no
 * collector ({@code otel.traces.exporter=console}).
 */
final class ConsoleSpanExporter implements SpanExporter {

  private final PrintStream out;

  ConsoleSpanExporter(PrintStream out) {
    this.out = out;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    StringBuilder text = new StringBuilder();
    for (SpanData span : spans) {
      double millis = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e6;
      text.append("[opsagent span] ")
          .append(span.getKind())
          .append(" '")
          .append(span.getName())
          .append("' ")
          .append(String.format("%.2f ms", millis))
          .append(" trace=")
          .append(span.getTraceId())
          .append(" span=")
          .append(span.getSpanId());
      if (span.getParentSpanContext().isValid()) {
        text.append(" parent=").append(span.getParentSpanId());
      }
      text.append(" status=").append(span.getStatus().getStatusCode()).append('\n');
      Map<String, Object> sorted = new TreeMap<>();
      span.getAttributes()
          .forEach((AttributeKey<?> key, Object value) -> sorted.put(key.getKey(), value));
      sorted.forEach(
          (key, value) -> text.append("    ").append(key).append(" = ").append(value).append('\n'));
      // Events by name with their attributes, stack traces left out: one screen per span.
      span.getEvents()
          .forEach(
              event -> {
                text.append("    event ").append(event.getName());
                event
                    .getAttributes()
                    .forEach(
                        (key, value) -> {
                          if (!key.getKey().equals("exception.stacktrace")) {
                            text.append(' ').append(key.getKey()).append('=').append(value);
                          }
                        });
                text.append('\n');
              });
    }
    synchronized (out) {
      out.print(text);
      out.flush();
    }
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    out.flush();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return flush();
  }
}
