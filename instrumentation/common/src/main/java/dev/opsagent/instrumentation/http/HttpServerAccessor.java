/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.util.List;

/**
 * How {@link HttpServerRecorder} reads one server technology's exchange. Implementations are
 * stateless singletons; they may return {@code null} for anything the server does not know.
 *
 * @param <X> the server's request (or exchange) type
 */
public interface HttpServerAccessor<X> {

  String method(X exchange);

  /**
   * @return {@code http} or {@code https}
   */
  String scheme(X exchange);

  /**
   * @return the path as received, not decoded
   */
  String rawPath(X exchange);

  /**
   * @return the query as received, not decoded, without {@code ?}; {@code null} if none
   */
  String rawQuery(X exchange);

  /**
   * @return the matched route template, {@code null} if the server has none
   */
  String route(X exchange);

  /**
   * @return the first value of a request header (name in lower case), or {@code null}
   */
  String requestHeader(X exchange, String name);

  /**
   * @return the values of a request header (name in lower case), at least the first {@value
   *     HttpCapture#MAX_HEADER_VALUES}, the most that are recorded; empty if absent
   */
  List<String> requestHeaders(X exchange, String name);

  /**
   * Reads the request headers the recorder reads for every request: the first value of each header
   * named in {@code names} (lower case) into {@code values}, at the same index, {@code null} where
   * absent. By default one {@link #requestHeader} each; a server whose look-up by name costs more
   * than a pass over all headers (the JDK's {@code Headers} copies the name on every look-up) reads
   * them in one pass.
   *
   * @param values as long as {@code names}, all {@code null}
   */
  default void readRequestHeaders(X exchange, String[] names, String[] values) {
    for (int i = 0; i < names.length; i++) {
      values[i] = requestHeader(exchange, names[i]);
    }
  }

  /**
   * @return the HTTP version, e.g. {@code 1.1}
   */
  String protocolVersion(X exchange);

  /**
   * @return the IP address of the connection's other end
   */
  String peerAddress(X exchange);

  int peerPort(X exchange);

  /**
   * @return the local address the request arrived on, used when there is no Host header
   */
  String localAddress(X exchange);

  int localPort(X exchange);

  /**
   * @return the response status code, or a value below 100 while none was set
   */
  int statusCode(X exchange);

  /**
   * @return the values of a response header (name in lower case), at least the first {@value
   *     HttpCapture#MAX_HEADER_VALUES}, the most that are recorded; empty if absent
   */
  List<String> responseHeaders(X exchange, String name);

  /**
   * @return the route as the application's framework matched it while handling the request (Spring
   *     MVC's pattern), replacing {@link #route}; {@code null} if none
   */
  default String finalRoute(X exchange) {
    return null;
  }
}
