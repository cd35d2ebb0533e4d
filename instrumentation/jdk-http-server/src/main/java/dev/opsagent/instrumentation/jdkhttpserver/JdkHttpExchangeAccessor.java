/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.opsagent.instrumentation.http.Connections;
import dev.opsagent.instrumentation.http.HttpServerAccessor;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Reads an {@link HttpExchange}. Header lookups are case-insensitive in {@code Headers}. */
enum JdkHttpExchangeAccessor implements HttpServerAccessor<HttpExchange> {
  INSTANCE;

  @Override
  public String method(HttpExchange exchange) {
    return exchange.getRequestMethod();
  }

  @Override
  public String scheme(HttpExchange exchange) {
    return exchange instanceof HttpsExchange ? "https" : "http";
  }

  @Override
  public String rawPath(HttpExchange exchange) {
    return exchange.getRequestURI().getRawPath();
  }

  @Override
  public String rawQuery(HttpExchange exchange) {
    return exchange.getRequestURI().getRawQuery();
  }

  /** The context's path: the JDK server routes by context, so it is the route template. */
  @Override
  public String route(HttpExchange exchange) {
    return exchange.getHttpContext().getPath();
  }

  @Override
  public String requestHeader(HttpExchange exchange, String name) {
    return exchange.getRequestHeaders().getFirst(name);
  }

  /**
   * One pass over the headers: {@code Headers.getFirst} copies the name into a new string to
   * normalize it on every look-up, about 90 bytes each, seven times per request. The server stores
   * names normalized (first letter upper case, the rest lower case), so a comparison ignoring case
   * finds what {@code getFirst} finds.
   */
  @Override
  public void readRequestHeaders(HttpExchange exchange, String[] names, String[] values) {
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      String name = header.getKey();
      for (int i = 0; i < names.length; i++) {
        if (values[i] == null && names[i].equalsIgnoreCase(name)) {
          List<String> received = header.getValue();
          values[i] = received == null || received.isEmpty() ? null : received.get(0);
          break;
        }
      }
    }
  }

  @Override
  public List<String> requestHeaders(HttpExchange exchange, String name) {
    return valuesOrEmpty(exchange.getRequestHeaders().get(name));
  }

  @Override
  public String protocolVersion(HttpExchange exchange) {
    return Connections.httpVersion(exchange.getProtocol());
  }

  @Override
  public String peerAddress(HttpExchange exchange) {
    return Connections.ip(exchange.getRemoteAddress());
  }

  @Override
  public int peerPort(HttpExchange exchange) {
    return Connections.port(exchange.getRemoteAddress());
  }

  @Override
  public String localAddress(HttpExchange exchange) {
    return Connections.ip(exchange.getLocalAddress());
  }

  @Override
  public int localPort(HttpExchange exchange) {
    return Connections.port(exchange.getLocalAddress());
  }

  @Override
  public int statusCode(HttpExchange exchange) {
    return exchange.getResponseCode();
  }

  @Override
  public List<String> responseHeaders(HttpExchange exchange, String name) {
    return valuesOrEmpty(exchange.getResponseHeaders().get(name));
  }

  private static List<String> valuesOrEmpty(List<String> values) {
    return values == null ? Collections.emptyList() : values;
  }
}
