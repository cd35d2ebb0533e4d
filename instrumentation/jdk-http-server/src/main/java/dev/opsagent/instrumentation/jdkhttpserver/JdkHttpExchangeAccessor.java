/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.opsagent.instrumentation.http.HttpServerAccessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.List;

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

  @Override
  public List<String> requestHeaders(HttpExchange exchange, String name) {
    return valuesOrEmpty(exchange.getRequestHeaders().get(name));
  }

  /** {@code HTTP/1.1} gives {@code 1.1}. */
  @Override
  public String protocolVersion(HttpExchange exchange) {
    String protocol = exchange.getProtocol();
    int slash = protocol == null ? -1 : protocol.indexOf('/');
    return slash < 0 ? protocol : protocol.substring(slash + 1);
  }

  @Override
  public String peerAddress(HttpExchange exchange) {
    return ip(exchange.getRemoteAddress());
  }

  @Override
  public int peerPort(HttpExchange exchange) {
    InetSocketAddress remote = exchange.getRemoteAddress();
    return remote == null ? -1 : remote.getPort();
  }

  @Override
  public String localAddress(HttpExchange exchange) {
    return ip(exchange.getLocalAddress());
  }

  @Override
  public int localPort(HttpExchange exchange) {
    InetSocketAddress local = exchange.getLocalAddress();
    return local == null ? -1 : local.getPort();
  }

  @Override
  public int statusCode(HttpExchange exchange) {
    return exchange.getResponseCode();
  }

  @Override
  public List<String> responseHeaders(HttpExchange exchange, String name) {
    return valuesOrEmpty(exchange.getResponseHeaders().get(name));
  }

  private static String ip(InetSocketAddress address) {
    if (address == null) {
      return null;
    }
    InetAddress ip = address.getAddress();
    return ip == null ? address.getHostString() : ip.getHostAddress();
  }

  private static List<String> valuesOrEmpty(List<String> values) {
    return values == null ? Collections.emptyList() : values;
  }
}
