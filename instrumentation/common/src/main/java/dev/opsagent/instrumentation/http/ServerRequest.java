/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import dev.opsagent.bootstrap.RequestContext;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;

/**
 * One request being recorded: its span, the readings taken when it arrived, and what the duration
 * metric needs of the request. Those are read when the request starts, never at its end: a server
 * may already be parsing the next request of the same connection by then (the JDK server's {@code
 * HttpExchange.getHttpContext()} belongs to the connection).
 */
final class ServerRequest extends RequestContext {

  final Span span;
  final long startNanos;
  final long startCpuNanos;
  final long startAllocatedBytes;

  /**
   * {@code http.request.method}, {@code url.scheme}, {@code network.protocol.version}, {@code
   * http.route}.
   */
  final AttributesBuilder metricAttributes;

  ServerRequest(
      Span span,
      long startNanos,
      long startCpuNanos,
      long startAllocatedBytes,
      AttributesBuilder metricAttributes) {
    this.span = span;
    this.startNanos = startNanos;
    this.startCpuNanos = startCpuNanos;
    this.startAllocatedBytes = startAllocatedBytes;
    this.metricAttributes = metricAttributes;
  }
}
