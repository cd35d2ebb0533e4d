/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import dev.opsagent.instrumentation.http.Connections;
import dev.opsagent.instrumentation.http.HttpServerAccessor;
import java.util.List;

/** Reads a servlet request and its response through the application's servlet API. */
final class ServletAccessor implements HttpServerAccessor<ServletExchange> {

  static final ServletAccessor INSTANCE = new ServletAccessor();

  /** The request attribute where Spring MVC leaves the pattern that matched the request. */
  static final String SPRING_MVC_PATTERN =
      "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  private ServletAccessor() {}

  @Override
  public String method(ServletExchange exchange) {
    return exchange.api.method(exchange.request);
  }

  @Override
  public String scheme(ServletExchange exchange) {
    return exchange.api.scheme(exchange.request);
  }

  @Override
  public String rawPath(ServletExchange exchange) {
    return exchange.api.requestUri(exchange.request);
  }

  @Override
  public String rawQuery(ServletExchange exchange) {
    return exchange.api.queryString(exchange.request);
  }

  /**
   * The servlet mapping that matched, under the context path: {@code /users/*} for a path mapping,
   * {@code /*.do} for an extension, {@code /*} for the default servlet.
   */
  @Override
  public String route(ServletExchange exchange) {
    ServletApi api = exchange.api;
    Object request = exchange.request;
    String contextPath = nonNull(api.contextPath(request));
    Object mapping = api.httpServletMapping(request);
    if (mapping != null) {
      String pattern = api.mappingPattern(mapping);
      String match = api.mappingMatch(mapping);
      if (pattern != null && match != null) {
        return ServletRoutes.ofMapping(contextPath, pattern, match);
      }
    }
    return ServletRoutes.fromPaths(
        contextPath, nonNull(api.servletPath(request)), api.pathInfo(request));
  }

  @Override
  public String finalRoute(ServletExchange exchange) {
    Object pattern = exchange.api.attribute(exchange.request, SPRING_MVC_PATTERN);
    if (!(pattern instanceof String)) {
      return null;
    }
    return nonNull(exchange.api.contextPath(exchange.request)) + pattern;
  }

  @Override
  public String requestHeader(ServletExchange exchange, String name) {
    return exchange.api.header(exchange.request, name);
  }

  @Override
  public List<String> requestHeaders(ServletExchange exchange, String name) {
    return exchange.api.headers(exchange.request, name);
  }

  @Override
  public String protocolVersion(ServletExchange exchange) {
    return Connections.httpVersion(exchange.api.protocol(exchange.request));
  }

  @Override
  public String peerAddress(ServletExchange exchange) {
    return exchange.api.remoteAddr(exchange.request);
  }

  @Override
  public int peerPort(ServletExchange exchange) {
    return exchange.api.remotePort(exchange.request);
  }

  @Override
  public String localAddress(ServletExchange exchange) {
    return exchange.api.localAddr(exchange.request);
  }

  @Override
  public int localPort(ServletExchange exchange) {
    return exchange.api.localPort(exchange.request);
  }

  /**
   * The response's status; none (0) when the request failed before a response was committed: the
   * server then answers with an error the recorder counts as 500.
   */
  @Override
  public int statusCode(ServletExchange exchange) {
    if (exchange.failed && !exchange.api.isCommitted(exchange.response)) {
      return 0;
    }
    return exchange.api.status(exchange.response);
  }

  @Override
  public List<String> responseHeaders(ServletExchange exchange, String name) {
    return exchange.api.responseHeaders(exchange.response, name);
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }
}
