/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.MappingMatch;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A jakarta servlet request and response (Servlet 6.0, Tomcat 10.1's) with fixed request data, as a
 * container hands them to its outermost filter: what the agent reads of them answers as cheaply as
 * a container's own objects do (fields, a header looked up case-insensitively without copying).
 * Both are wrappers around a stand-in that counts any call this class does not answer itself: the
 * benchmark checks that there was none.
 */
final class FixedServletExchange {

  /** Calls that went past the doubles to their stand-ins. */
  static final AtomicLong UNEXPECTED_CALLS = new AtomicLong();

  final Request request;
  final Response response = new Response();

  /**
   * @param contextPath the web application's context path
   * @param servletPath the servlet path of a path mapping ({@code pattern} without {@code /*})
   * @param pathInfo the rest of the path
   * @param headers request header names and values, name, value, name, value
   */
  FixedServletExchange(
      String contextPath, String servletPath, String pathInfo, String query, String... headers) {
    request = new Request(contextPath, servletPath, pathInfo, query, headers);
  }

  private static <T> T standIn(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            FixedServletExchange.class.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              UNEXPECTED_CALLS.incrementAndGet();
              throw new UnsupportedOperationException(method.toString());
            }));
  }

  /** The request. */
  static final class Request extends HttpServletRequestWrapper {
    private final String contextPath;
    private final String servletPath;
    private final String pathInfo;
    private final String requestUri;
    private final String query;
    private final String[] headers;
    private final HttpServletMapping mapping;

    Request(
        String contextPath, String servletPath, String pathInfo, String query, String[] headers) {
      super(standIn(HttpServletRequest.class));
      this.contextPath = contextPath;
      this.servletPath = servletPath;
      this.pathInfo = pathInfo;
      this.requestUri = contextPath + servletPath + pathInfo;
      this.query = query;
      this.headers = headers.clone();
      this.mapping = new PathMapping(servletPath + "/*", pathInfo.substring(1));
    }

    @Override
    public String getMethod() {
      return "GET";
    }

    @Override
    public String getScheme() {
      return "http";
    }

    @Override
    public String getRequestURI() {
      return requestUri;
    }

    @Override
    public String getQueryString() {
      return query;
    }

    @Override
    public String getContextPath() {
      return contextPath;
    }

    @Override
    public String getServletPath() {
      return servletPath;
    }

    @Override
    public String getPathInfo() {
      return pathInfo;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
      return mapping;
    }

    @Override
    public String getHeader(String name) {
      for (int i = 0; i < headers.length; i += 2) {
        if (headers[i].equalsIgnoreCase(name)) {
          return headers[i + 1];
        }
      }
      return null;
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      List<String> values = new ArrayList<>(1);
      for (int i = 0; i < headers.length; i += 2) {
        if (headers[i].equalsIgnoreCase(name)) {
          values.add(headers[i + 1]);
        }
      }
      return Collections.enumeration(values);
    }

    @Override
    public String getProtocol() {
      return "HTTP/1.1";
    }

    @Override
    public String getRemoteAddr() {
      return "10.0.0.5";
    }

    @Override
    public int getRemotePort() {
      return 54321;
    }

    @Override
    public String getLocalAddr() {
      return "10.0.0.1";
    }

    @Override
    public int getLocalPort() {
      return 8080;
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public Object getAttribute(String name) {
      return null;
    }

    @Override
    public void setAttribute(String name, Object o) {}

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public AsyncContext getAsyncContext() {
      throw new IllegalStateException("not asynchronous");
    }
  }

  /** A path mapping ({@code /api/orders/*}). */
  private static final class PathMapping implements HttpServletMapping {
    private final String pattern;
    private final String matchValue;

    PathMapping(String pattern, String matchValue) {
      this.pattern = pattern;
      this.matchValue = matchValue;
    }

    @Override
    public String getMatchValue() {
      return matchValue;
    }

    @Override
    public String getPattern() {
      return pattern;
    }

    @Override
    public String getServletName() {
      return "orders";
    }

    @Override
    public MappingMatch getMappingMatch() {
      return MappingMatch.PATH;
    }
  }

  /** The response: its status and one header; its body goes nowhere. */
  static final class Response extends HttpServletResponseWrapper {
    private int status = 200;
    private boolean committed;
    private String contentType;
    private final ServletOutputStream body = new Discarding();

    Response() {
      super(standIn(HttpServletResponse.class));
    }

    /** The next request on the same objects: nothing sent yet. */
    void next() {
      status = 200;
      committed = false;
      contentType = null;
    }

    @Override
    public void setStatus(int sc) {
      status = sc;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public void setContentType(String type) {
      contentType = type;
    }

    @Override
    public String getContentType() {
      return contentType;
    }

    @Override
    public boolean isCommitted() {
      return committed;
    }

    @Override
    public Collection<String> getHeaders(String name) {
      return "content-type".equalsIgnoreCase(name) && contentType != null
          ? Collections.singletonList(contentType)
          : Collections.emptyList();
    }

    @Override
    public ServletOutputStream getOutputStream() {
      committed = true;
      return body;
    }
  }

  private static final class Discarding extends ServletOutputStream {
    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {}

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
