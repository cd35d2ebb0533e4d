/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;

/**
 * The span the agent exports for {@link SampleRequest}, made with the SDK directly: the same name,
 * kind, parent, the same 21 attributes in the same order, set the same way (numbers as {@code
 * long}, boxed by the SDK), ended with an explicit end time. Nothing is computed: the values are at
 * hand.
 */
public final class SampleSpan {

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
  private static final AttributeKey<String> PEER = AttributeKey.stringKey("network.peer.address");
  private static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  private static final AttributeKey<String> PROTOCOL =
      AttributeKey.stringKey("network.protocol.version");
  private static final AttributeKey<String> USER_AGENT =
      AttributeKey.stringKey("user_agent.original");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<Long> GC = AttributeKey.longKey("opsagent.gc_pause_ns");
  private static final AttributeKey<Long> CPU_OWN =
      AttributeKey.longKey("opsagent.cpu_time_own_ns");
  private static final AttributeKey<Long> CPU = AttributeKey.longKey("opsagent.cpu_time_ns");
  private static final AttributeKey<Long> ALLOC = AttributeKey.longKey("opsagent.alloc_bytes");
  private static final AttributeKey<Long> BLOCKED = AttributeKey.longKey("opsagent.blocked_ns");
  private static final AttributeKey<Long> WAITED = AttributeKey.longKey("opsagent.waited_ns");
  private static final AttributeKey<Long> TASKS = AttributeKey.longKey("opsagent.async_tasks");
  private static final AttributeKey<Long> THREADS =
      AttributeKey.longKey("opsagent.threads_started");

  private SampleSpan() {}

  /**
   * @param parent the caller's context, or the root
   * @param n varies the measured figures, as real readings vary
   * @return the span, ended
   */
  public static Span record(Tracer tracer, Context parent, long n) {
    SpanBuilder builder =
        tracer.spanBuilder("GET /api/orders").setSpanKind(SpanKind.SERVER).setParent(parent);
    builder.setAttribute(METHOD, "GET");
    builder.setAttribute(SCHEME, "http");
    builder.setAttribute(PATH, SampleRequest.PATH);
    builder.setAttribute(QUERY, SampleRequest.QUERY);
    builder.setAttribute(ROUTE, "/api/orders");
    builder.setAttribute(SERVER, "shop.example.com");
    builder.setAttribute(SERVER_PORT, 8080);
    builder.setAttribute(CLIENT, "10.0.0.5");
    builder.setAttribute(PEER, "10.0.0.5");
    builder.setAttribute(PEER_PORT, 54321);
    builder.setAttribute(PROTOCOL, "1.1");
    builder.setAttribute(USER_AGENT, SampleRequest.USER_AGENT);
    Span span = builder.startSpan();
    span.setAttribute(STATUS, 200);
    span.setAttribute(GC, 0);
    span.setAttribute(CPU_OWN, 3000 + (n & 1023));
    span.setAttribute(CPU, 3000 + (n & 1023));
    span.setAttribute(ALLOC, 200 + (n & 1023));
    span.setAttribute(BLOCKED, 0);
    span.setAttribute(WAITED, 0);
    span.setAttribute(TASKS, 0);
    span.setAttribute(THREADS, 0);
    span.end(Instant.now());
    return span;
  }
}
