/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import dev.opsagent.instrumentation.http.Connections;
import dev.opsagent.instrumentation.http.HttpServerAccessor;
import java.util.List;

/**
 * Reads an Undertow exchange. Undertow's core has no route: a servlet inside the exchange tells it
 * (see {@code ServletRecorderHooks}).
 */
final class UndertowAccessor implements HttpServerAccessor<UndertowExchange> {

  static final UndertowAccessor INSTANCE = new UndertowAccessor();

  private UndertowAccessor() {}

  @Override
  public String method(UndertowExchange exchange) {
    return exchange.api.method(exchange.exchange);
  }

  @Override
  public String scheme(UndertowExchange exchange) {
    return exchange.api.scheme(exchange.exchange);
  }

  /**
   * The request's target without the scheme and host a client may send ({@code GET http://h/p}).
   */
  @Override
  public String rawPath(UndertowExchange exchange) {
    String uri = exchange.api.requestUri(exchange.exchange);
    if (uri == null || uri.startsWith("/")) {
      return uri;
    }
    int authority = uri.indexOf("://");
    if (authority < 0) {
      return uri;
    }
    int path = uri.indexOf('/', authority + 3);
    return path < 0 ? "/" : uri.substring(path);
  }

  @Override
  public String rawQuery(UndertowExchange exchange) {
    String query = exchange.api.queryString(exchange.exchange);
    return query == null || query.isEmpty() ? null : query;
  }

  @Override
  public String route(UndertowExchange exchange) {
    return null;
  }

  @Override
  public String requestHeader(UndertowExchange exchange, String name) {
    return exchange.api.header(exchange.exchange, name);
  }

  @Override
  public List<String> requestHeaders(UndertowExchange exchange, String name) {
    return exchange.api.headers(exchange.exchange, name);
  }

  @Override
  public String protocolVersion(UndertowExchange exchange) {
    return Connections.httpVersion(exchange.api.protocol(exchange.exchange));
  }

  @Override
  public String peerAddress(UndertowExchange exchange) {
    return Connections.ip(exchange.api.sourceAddress(exchange.exchange));
  }

  @Override
  public int peerPort(UndertowExchange exchange) {
    return Connections.port(exchange.api.sourceAddress(exchange.exchange));
  }

  @Override
  public String localAddress(UndertowExchange exchange) {
    return Connections.ip(exchange.api.destinationAddress(exchange.exchange));
  }

  @Override
  public int localPort(UndertowExchange exchange) {
    return Connections.port(exchange.api.destinationAddress(exchange.exchange));
  }

  /** Undertow's status is 200 until set; a handler that threw leaves 500, set by the server. */
  @Override
  public int statusCode(UndertowExchange exchange) {
    return exchange.api.statusCode(exchange.exchange);
  }

  @Override
  public List<String> responseHeaders(UndertowExchange exchange, String name) {
    return exchange.api.responseHeaders(exchange.exchange, name);
  }
}
