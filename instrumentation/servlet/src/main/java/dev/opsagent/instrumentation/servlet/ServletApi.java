/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import static dev.opsagent.instrumentation.http.ReflectiveCalls.bool;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.findInterface;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.handle;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.integer;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.object;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.string;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.strings;

import dev.opsagent.instrumentation.http.HttpCapture;
import dev.opsagent.instrumentation.http.ReflectiveCalls;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * The servlet API of one application, {@code javax.servlet} or {@code jakarta.servlet}, called
 * through method handles ({@link dev.opsagent.instrumentation.http.ReflectiveCalls}): the agent's
 * classes cannot link against it. Handles are looked up once per request class, from the public
 * interfaces the server's request object implements; every call answers {@code null} (or -1, or
 * {@code false}) rather than throw.
 */
final class ServletApi {

  /** Per request class: its servlet API, empty for a request that is not HTTP. */
  private static final ClassValue<Optional<ServletApi>> BY_REQUEST_CLASS =
      ReflectiveCalls.perClass(ServletApi::find);

  /** {@code javax.servlet} or {@code jakarta.servlet}. */
  final String namespace;

  /** {@code AsyncListener}, which the agent implements with a proxy. */
  final Class<?> asyncListener;

  private final MethodHandle getMethod;
  private final MethodHandle getScheme;
  private final MethodHandle getRequestUri;
  private final MethodHandle getQueryString;
  private final MethodHandle getHeader;
  private final MethodHandle getHeaders;
  private final MethodHandle getProtocol;
  private final MethodHandle getRemoteAddr;
  private final MethodHandle getRemotePort;
  private final MethodHandle getLocalAddr;
  private final MethodHandle getLocalPort;
  private final MethodHandle getDispatcherType;
  private final MethodHandle getAttribute;
  private final MethodHandle setAttribute;
  private final MethodHandle isAsyncStarted;
  private final MethodHandle getAsyncContext;
  private final MethodHandle getContextPath;
  private final MethodHandle getServletPath;
  private final MethodHandle getPathInfo;

  /** Servlet 4.0+; {@code null} before. */
  private final MethodHandle getHttpServletMapping;

  private final MethodHandle getMappingPattern;
  private final MethodHandle getMappingMatch;
  private final MethodHandle getStatus;
  private final MethodHandle isCommitted;
  private final MethodHandle getResponseHeaders;
  private final MethodHandle addListener;
  private final MethodHandle eventThrowable;
  private final MethodHandle eventAsyncContext;

  private ServletApi(Class<?> request, String namespace) throws ReflectiveOperationException {
    this.namespace = namespace;
    ClassLoader loader = request.getClassLoader();
    Class<?> response = Class.forName(namespace + ".http.HttpServletResponse", false, loader);
    Class<?> asyncContext = Class.forName(namespace + ".AsyncContext", false, loader);
    Class<?> asyncEvent = Class.forName(namespace + ".AsyncEvent", false, loader);
    Class<?> dispatcherType = Class.forName(namespace + ".DispatcherType", false, loader);
    asyncListener = Class.forName(namespace + ".AsyncListener", false, loader);
    getMethod = handle(request, "getMethod", String.class);
    getScheme = handle(request, "getScheme", String.class);
    getRequestUri = handle(request, "getRequestURI", String.class);
    getQueryString = handle(request, "getQueryString", String.class);
    getHeader = handle(request, "getHeader", String.class, String.class);
    getHeaders = handle(request, "getHeaders", Enumeration.class, String.class);
    getProtocol = handle(request, "getProtocol", String.class);
    getRemoteAddr = handle(request, "getRemoteAddr", String.class);
    getRemotePort = handle(request, "getRemotePort", int.class);
    getLocalAddr = handle(request, "getLocalAddr", String.class);
    getLocalPort = handle(request, "getLocalPort", int.class);
    getDispatcherType = handle(request, "getDispatcherType", dispatcherType);
    getAttribute = handle(request, "getAttribute", Object.class, String.class);
    setAttribute = handle(request, "setAttribute", void.class, String.class, Object.class);
    isAsyncStarted = handle(request, "isAsyncStarted", boolean.class);
    getAsyncContext = handle(request, "getAsyncContext", asyncContext);
    getContextPath = handle(request, "getContextPath", String.class);
    getServletPath = handle(request, "getServletPath", String.class);
    getPathInfo = handle(request, "getPathInfo", String.class);
    MethodHandle mapping = null;
    MethodHandle pattern = null;
    MethodHandle match = null;
    try {
      Class<?> mappingType = Class.forName(namespace + ".http.HttpServletMapping", false, loader);
      Class<?> matchType = Class.forName(namespace + ".http.MappingMatch", false, loader);
      mapping = handle(request, "getHttpServletMapping", mappingType);
      pattern = handle(mappingType, "getPattern", String.class);
      match = handle(mappingType, "getMappingMatch", matchType);
    } catch (ReflectiveOperationException servlet3) {
      // Servlet 3.x: the route is made of the servlet path and path info.
    }
    getHttpServletMapping = mapping;
    getMappingPattern = pattern;
    getMappingMatch = match;
    getStatus = handle(response, "getStatus", int.class);
    isCommitted = handle(response, "isCommitted", boolean.class);
    getResponseHeaders = handle(response, "getHeaders", Collection.class, String.class);
    addListener = handle(asyncContext, "addListener", void.class, asyncListener);
    eventThrowable = handle(asyncEvent, "getThrowable", Throwable.class);
    eventAsyncContext = handle(asyncEvent, "getAsyncContext", asyncContext);
  }

  /**
   * @return the servlet API of {@code request}'s application, or {@code null} if it is not an HTTP
   *     servlet request
   */
  static ServletApi of(Object request) {
    return BY_REQUEST_CLASS.get(request.getClass()).orElse(null);
  }

  /**
   * @return the servlet API of requests of this class, or {@code null} for a request that is not
   *     HTTP
   */
  private static ServletApi find(Class<?> requestClass) throws ReflectiveOperationException {
    for (String namespace : new String[] {"jakarta.servlet", "javax.servlet"}) {
      Class<?> httpRequest = findInterface(requestClass, namespace + ".http.HttpServletRequest");
      if (httpRequest != null) {
        return new ServletApi(httpRequest, namespace);
      }
    }
    return null;
  }

  String method(Object request) {
    return string(getMethod, request);
  }

  String scheme(Object request) {
    return string(getScheme, request);
  }

  String requestUri(Object request) {
    return string(getRequestUri, request);
  }

  String queryString(Object request) {
    return string(getQueryString, request);
  }

  String header(Object request, String name) {
    return string(getHeader, request, name);
  }

  /**
   * {@code getHeaders} answers an {@code Enumeration}, not a collection as the response's does; its
   * first {@value HttpCapture#MAX_HEADER_VALUES} values, the most that are recorded.
   */
  List<String> headers(Object request, String name) {
    Object values = object(getHeaders, request, name);
    if (!(values instanceof Enumeration)) {
      return Collections.emptyList();
    }
    Enumeration<?> enumeration = (Enumeration<?>) values;
    List<String> list = new ArrayList<>();
    while (list.size() < HttpCapture.MAX_HEADER_VALUES && enumeration.hasMoreElements()) {
      list.add(String.valueOf(enumeration.nextElement()));
    }
    return list;
  }

  String protocol(Object request) {
    return string(getProtocol, request);
  }

  String remoteAddr(Object request) {
    return string(getRemoteAddr, request);
  }

  int remotePort(Object request) {
    return integer(getRemotePort, request);
  }

  String localAddr(Object request) {
    return string(getLocalAddr, request);
  }

  int localPort(Object request) {
    return integer(getLocalPort, request);
  }

  /**
   * @return {@code REQUEST}, {@code FORWARD}, {@code INCLUDE}, {@code ASYNC} or {@code ERROR}
   */
  String dispatcherType(Object request) {
    Object type = object(getDispatcherType, request);
    return type instanceof Enum ? ((Enum<?>) type).name() : null;
  }

  Object attribute(Object request, String name) {
    return object(getAttribute, request, name);
  }

  void setAttribute(Object request, String name, Object value) {
    try {
      setAttribute.invokeExact(request, (Object) name, value);
    } catch (Throwable t) {
      // The request was recycled: nothing to remember.
    }
  }

  boolean isAsyncStarted(Object request) {
    return bool(isAsyncStarted, request);
  }

  Object asyncContext(Object request) {
    return object(getAsyncContext, request);
  }

  String contextPath(Object request) {
    return string(getContextPath, request);
  }

  String servletPath(Object request) {
    return string(getServletPath, request);
  }

  String pathInfo(Object request) {
    return string(getPathInfo, request);
  }

  /**
   * @return the request's {@code HttpServletMapping}, or {@code null} before Servlet 4.0
   */
  Object httpServletMapping(Object request) {
    return getHttpServletMapping == null ? null : object(getHttpServletMapping, request);
  }

  /**
   * @return the pattern of a {@link #httpServletMapping}
   */
  String mappingPattern(Object mapping) {
    return string(getMappingPattern, mapping);
  }

  /**
   * @return the match of a {@link #httpServletMapping}: {@code EXACT}, {@code PATH}, {@code
   *     EXTENSION}, {@code DEFAULT}, {@code CONTEXT_ROOT}
   */
  String mappingMatch(Object mapping) {
    Object match = object(getMappingMatch, mapping);
    return match instanceof Enum ? ((Enum<?>) match).name() : null;
  }

  int status(Object response) {
    return integer(getStatus, response);
  }

  boolean isCommitted(Object response) {
    return bool(isCommitted, response);
  }

  List<String> responseHeaders(Object response, String name) {
    return strings(getResponseHeaders, response, name);
  }

  /**
   * @return whether the listener was added to the asynchronous context
   */
  boolean addListener(Object asyncContext, Object listener) {
    try {
      addListener.invokeExact(asyncContext, listener);
      return true;
    } catch (Throwable t) {
      return false;
    }
  }

  Throwable eventThrowable(Object event) {
    Object thrown = object(eventThrowable, event);
    return thrown instanceof Throwable ? (Throwable) thrown : null;
  }

  Object eventAsyncContext(Object event) {
    return object(eventAsyncContext, event);
  }
}
