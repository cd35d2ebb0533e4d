/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import dev.opsagent.bootstrap.RequestContext;
import io.opentelemetry.api.trace.Span;

/** One request being recorded: its span and the readings taken when it arrived. */
final class ServerRequest extends RequestContext {

  final Span span;
  final long startNanos;
  final long startCpuNanos;
  final long startAllocatedBytes;

  ServerRequest(Span span, long startNanos, long startCpuNanos, long startAllocatedBytes) {
    this.span = span;
    this.startNanos = startNanos;
    this.startCpuNanos = startCpuNanos;
    this.startAllocatedBytes = startAllocatedBytes;
  }
}
