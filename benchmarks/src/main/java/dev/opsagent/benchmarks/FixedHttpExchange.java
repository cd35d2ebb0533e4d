/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A JDK HTTP server exchange with fixed request data, as the server hands it to its filter chain:
 * what the agent reads of it costs what it costs on the server's own exchange. Its request headers
 * are the server's read-only {@code UnmodifiableHeaders}, as the server's are; its response body
 * goes nowhere.
 */
final class FixedHttpExchange extends HttpExchange {

  private final Headers requestHeaders;
  private final Headers responseHeaders = new Headers();
  private final URI uri;
  private final HttpContext context;
  private final InetSocketAddress remote;
  private final InetSocketAddress local;
  private final OutputStream body = OutputStream.nullOutputStream();
  private int responseCode = -1;

  /**
   * @param target the request target: path and query
   * @param contextPath the path of the server context that handles it
   * @param headers request header names and values, name, value, name, value
   */
  FixedHttpExchange(String target, String contextPath, String... headers) {
    Headers received = new Headers();
    for (int i = 0; i < headers.length; i += 2) {
      received.add(headers[i], headers[i + 1]);
    }
    this.requestHeaders = readOnly(received);
    this.uri = URI.create(target);
    this.context = new FixedContext(contextPath);
    try {
      this.remote =
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 5}), 54321);
      this.local = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 8080);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The server's request headers: {@code Headers.of(Map)} on Java 18 and newer, the server's {@code
   * UnmodifiableHeaders} before (needs {@code
   * --add-exports=jdk.httpserver/sun.net.httpserver=ALL-UNNAMED}).
   */
  private static Headers readOnly(Headers headers) {
    try {
      return (Headers) Headers.class.getMethod("of", Map.class).invoke(null, headers);
    } catch (NoSuchMethodException beforeJava18) {
      try {
        return (Headers)
            Class.forName("sun.net.httpserver.UnmodifiableHeaders")
                .getConstructor(Headers.class)
                .newInstance(headers);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalStateException(
            "the server's read-only request headers need"
                + " --add-exports=jdk.httpserver/sun.net.httpserver=ALL-UNNAMED before Java 18",
            e);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next request on the same data: no response sent yet. */
  void reset() {
    responseCode = -1;
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return "GET";
  }

  @Override
  public HttpContext getHttpContext() {
    return context;
  }

  @Override
  public void close() {}

  @Override
  public InputStream getRequestBody() {
    return new ByteArrayInputStream(new byte[0]);
  }

  @Override
  public OutputStream getResponseBody() {
    return body;
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) {
    responseCode = rCode;
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public int getResponseCode() {
    return responseCode;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return local;
  }

  @Override
  public String getProtocol() {
    return "HTTP/1.1";
  }

  @Override
  public Object getAttribute(String name) {
    return null;
  }

  @Override
  public void setAttribute(String name, Object value) {}

  @Override
  public void setStreams(InputStream i, OutputStream o) {}

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }

  /** The server context the request arrived at: its path is the route. */
  private static final class FixedContext extends HttpContext {
    private final String path;

    FixedContext(String path) {
      this.path = path;
    }

    @Override
    public HttpHandler getHandler() {
      return null;
    }

    @Override
    public void setHandler(HttpHandler handler) {}

    @Override
    public String getPath() {
      return path;
    }

    @Override
    public HttpServer getServer() {
      return null;
    }

    @Override
    public Map<String, Object> getAttributes() {
      return Collections.emptyMap();
    }

    @Override
    public List<Filter> getFilters() {
      return Collections.emptyList();
    }

    @Override
    public Authenticator setAuthenticator(Authenticator auth) {
      return null;
    }

    @Override
    public Authenticator getAuthenticator() {
      return null;
    }
  }
}
