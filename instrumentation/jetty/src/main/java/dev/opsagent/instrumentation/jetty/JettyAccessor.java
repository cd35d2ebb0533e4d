/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import dev.opsagent.instrumentation.http.Connections;
import dev.opsagent.instrumentation.http.HttpServerAccessor;
import java.util.List;

/**
 * Reads a Jetty 12 core request and its response. Jetty's core has no route: a servlet inside the
 * request tells it (see {@code ServletRecorderHooks}).
 */
final class JettyAccessor implements HttpServerAccessor<JettyExchange> {

  static final JettyAccessor INSTANCE = new JettyAccessor();

  private JettyAccessor() {}

  @Override
  public String method(JettyExchange exchange) {
    return exchange.api.method(exchange.request);
  }

  @Override
  public String scheme(JettyExchange exchange) {
    return exchange.api.scheme(exchange.request);
  }

  @Override
  public String rawPath(JettyExchange exchange) {
    return exchange.api.path(exchange.request);
  }

  @Override
  public String rawQuery(JettyExchange exchange) {
    return exchange.api.query(exchange.request);
  }

  @Override
  public String route(JettyExchange exchange) {
    return null;
  }

  @Override
  public String requestHeader(JettyExchange exchange, String name) {
    return exchange.api.header(exchange.request, name);
  }

  @Override
  public List<String> requestHeaders(JettyExchange exchange, String name) {
    return exchange.api.headers(exchange.request, name);
  }

  @Override
  public String protocolVersion(JettyExchange exchange) {
    return Connections.httpVersion(exchange.api.protocol(exchange.request));
  }

  @Override
  public String peerAddress(JettyExchange exchange) {
    return Connections.ip(exchange.api.remoteAddress(exchange.request));
  }

  @Override
  public int peerPort(JettyExchange exchange) {
    return Connections.port(exchange.api.remoteAddress(exchange.request));
  }

  @Override
  public String localAddress(JettyExchange exchange) {
    return Connections.ip(exchange.api.localAddress(exchange.request));
  }

  @Override
  public int localPort(JettyExchange exchange) {
    return Connections.port(exchange.api.localAddress(exchange.request));
  }

  /**
   * The status the server sends: 404 for a request no handler took, none (0) for a failed request
   * whose response was not committed (the server then answers with an error, which the recorder
   * counts as 500), and 200 for a request completed without a status, as Jetty commits it.
   */
  @Override
  public int statusCode(JettyExchange exchange) {
    if (exchange.declined) {
      return 404;
    }
    int status = exchange.api.status(exchange.response);
    if (exchange.failed) {
      return exchange.api.isCommitted(exchange.response) ? status : 0;
    }
    return status == 0 ? 200 : status;
  }

  @Override
  public List<String> responseHeaders(JettyExchange exchange, String name) {
    return exchange.api.responseHeaders(exchange.response, name);
  }
}
