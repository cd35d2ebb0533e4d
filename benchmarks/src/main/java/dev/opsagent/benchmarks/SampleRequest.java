/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The request the server benchmarks serve, one for every operation: {@code GET
 * /api/orders/42?page=2&size=20&sort=created} from a browser-like client, with the headers such a
 * client sends, and, in one variant, a W3C {@code traceparent}. No header is configured for capture
 * (the agent's default). Also checks that the span the agent exported for it is complete.
 */
final class SampleRequest {

  static final String PATH = "/api/orders/42";
  static final String QUERY = "page=2&size=20&sort=created";
  static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  static final String PARENT_SPAN_ID = "b7ad6b7169203331";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";
  static final String USER_AGENT =
      "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

  /** Name, value, name, value: as a client sends them. */
  private static final String[] HEADERS = {
    "Host", "shop.example.com:8080",
    "User-Agent", USER_AGENT,
    "Accept", "application/json",
    "Accept-Encoding", "gzip, deflate",
    "Connection", "keep-alive",
    "X-Request-Id", "5f0c6d1e-8a3b-4c2d-9e7f-1a2b3c4d5e6f",
  };

  /** The response body. */
  static final byte[] BODY = "{\"id\":42,\"status\":\"shipped\"}".getBytes();

  private SampleRequest() {}

  /**
   * @return the request's headers, name, value, name, value; with a {@code traceparent} if asked
   */
  static String[] headers(boolean traceparent) {
    List<String> headers = new ArrayList<>(Arrays.asList(HEADERS));
    if (traceparent) {
      headers.add("traceparent");
      headers.add(TRACEPARENT);
    }
    return headers.toArray(new String[0]);
  }

  /**
   * Checks the last span the agent exported for the request.
   *
   * @param path the path as the server gives it
   * @param route the route the server knows
   * @throws IllegalStateException if the span is missing anything the agent records for it
   */
  static void check(SpanData span, String path, String route, boolean traceparent) {
    if (span == null) {
      throw new IllegalStateException("no span was exported");
    }
    Attributes attributes = span.getAttributes();
    boolean contention = ManagementFactory.getThreadMXBean().isThreadContentionMonitoringEnabled();
    List<String> wrong = new ArrayList<>();
    expect(wrong, "name", span.getName(), "GET " + route);
    expect(wrong, "kind", span.getKind(), SpanKind.SERVER);
    expect(wrong, "http.request.method", attributes.get(string("http.request.method")), "GET");
    expect(wrong, "url.path", attributes.get(string("url.path")), path);
    expect(wrong, "url.query", attributes.get(string("url.query")), QUERY);
    expect(wrong, "http.route", attributes.get(string("http.route")), route);
    expect(wrong, "status", attributes.get(number("http.response.status_code")), 200L);
    expect(wrong, "server.address", attributes.get(string("server.address")), "shop.example.com");
    expect(wrong, "server.port", attributes.get(number("server.port")), 8080L);
    expect(wrong, "client.address", attributes.get(string("client.address")), "10.0.0.5");
    expect(wrong, "network.peer.port", attributes.get(number("network.peer.port")), 54321L);
    expect(wrong, "user_agent", attributes.get(string("user_agent.original")), USER_AGENT);
    positive(wrong, attributes, "opsagent.cpu_time_ns");
    positive(wrong, attributes, "opsagent.cpu_time_own_ns");
    // The servlet's own work allocates nothing: 0 is right there.
    expect(
        wrong,
        "opsagent.alloc_bytes >= 0",
        attributes.get(number("opsagent.alloc_bytes")) != null
            && attributes.get(number("opsagent.alloc_bytes")) >= 0,
        true);
    expect(
        wrong,
        "opsagent.blocked_ns present",
        attributes.get(number("opsagent.blocked_ns")) != null,
        contention);
    expect(wrong, "trace id from traceparent", span.getTraceId().equals(TRACE_ID), traceparent);
    expect(wrong, "parent span id", span.getParentSpanId().equals(PARENT_SPAN_ID), traceparent);
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("the exported span is not as recorded: " + wrong);
    }
  }

  private static void expect(List<String> wrong, String what, Object actual, Object expected) {
    if (!expected.equals(actual)) {
      wrong.add(what + " = " + actual + ", expected " + expected);
    }
  }

  private static void positive(List<String> wrong, Attributes attributes, String key) {
    Long value = attributes.get(number(key));
    if (value == null || value <= 0) {
      wrong.add(key + " = " + value);
    }
  }

  private static AttributeKey<String> string(String key) {
    return AttributeKey.stringKey(key);
  }

  private static AttributeKey<Long> number(String key) {
    return AttributeKey.longKey(key);
  }
}
