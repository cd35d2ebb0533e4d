/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import static dev.opsagent.instrumentation.http.ReflectiveCalls.bool;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.findInterface;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.handle;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.integer;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.object;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.string;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.strings;

import dev.opsagent.instrumentation.http.AgentProxies;
import dev.opsagent.instrumentation.http.ReflectiveCalls;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationHandler;
import java.net.SocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The core API of one Jetty 12 server ({@code Request}, {@code Response}, {@code HttpURI}, {@code
 * HttpFields}, {@code ConnectionMetaData}), called through method handles ({@link
 * dev.opsagent.instrumentation.http.ReflectiveCalls}): the agent's classes cannot link against it.
 * Handles are looked up once per request class; every call answers {@code null} (or -1, or {@code
 * false}) rather than throw.
 */
final class JettyApi {

  private static final String REQUEST = "org.eclipse.jetty.server.Request";

  /** Per request class: its server's API; empty if it is no Jetty 12 request. */
  private static final ClassValue<Optional<JettyApi>> BY_REQUEST_CLASS =
      ReflectiveCalls.perClass(
          requestClass -> {
            Class<?> request = findInterface(requestClass, REQUEST);
            return request == null ? null : new JettyApi(request);
          });

  /** {@code org.eclipse.jetty.util.Callback}, which the agent implements with a proxy. */
  private final Class<?> callback;

  private final MethodHandle getMethod;
  private final MethodHandle getHttpUri;
  private final MethodHandle uriScheme;
  private final MethodHandle uriPath;
  private final MethodHandle uriQuery;
  private final MethodHandle getRequestHeaders;
  private final MethodHandle getConnectionMetaData;
  private final MethodHandle getProtocol;
  private final MethodHandle getRemoteSocketAddress;
  private final MethodHandle getLocalSocketAddress;
  private final MethodHandle getStatus;
  private final MethodHandle isCommitted;
  private final MethodHandle getResponseHeaders;
  private final MethodHandle fieldValue;
  private final MethodHandle fieldValues;

  private JettyApi(Class<?> request) throws ReflectiveOperationException {
    ClassLoader loader = request.getClassLoader();
    Class<?> response = Class.forName("org.eclipse.jetty.server.Response", false, loader);
    Class<?> metaData = Class.forName("org.eclipse.jetty.server.ConnectionMetaData", false, loader);
    Class<?> uri = Class.forName("org.eclipse.jetty.http.HttpURI", false, loader);
    Class<?> fields = Class.forName("org.eclipse.jetty.http.HttpFields", false, loader);
    Class<?> mutableFields =
        Class.forName("org.eclipse.jetty.http.HttpFields$Mutable", false, loader);
    callback = Class.forName("org.eclipse.jetty.util.Callback", false, loader);
    getMethod = handle(request, "getMethod", String.class);
    getHttpUri = handle(request, "getHttpURI", uri);
    uriScheme = handle(uri, "getScheme", String.class);
    uriPath = handle(uri, "getPath", String.class);
    uriQuery = handle(uri, "getQuery", String.class);
    getRequestHeaders = handle(request, "getHeaders", fields);
    getConnectionMetaData = handle(request, "getConnectionMetaData", metaData);
    getProtocol = handle(metaData, "getProtocol", String.class);
    getRemoteSocketAddress = handle(metaData, "getRemoteSocketAddress", SocketAddress.class);
    getLocalSocketAddress = handle(metaData, "getLocalSocketAddress", SocketAddress.class);
    getStatus = handle(response, "getStatus", int.class);
    isCommitted = handle(response, "isCommitted", boolean.class);
    getResponseHeaders = handle(response, "getHeaders", mutableFields);
    fieldValue = handle(fields, "get", String.class, String.class);
    fieldValues = handle(fields, "getValuesList", List.class, String.class);
  }

  /**
   * @return the API of {@code request}'s server, or {@code null} if it is no Jetty 12 request
   */
  static JettyApi of(Object request) {
    return BY_REQUEST_CLASS.get(request.getClass()).orElse(null);
  }

  /**
   * @return a {@code Callback} whose every call goes to {@code handler}, or {@code null} if none
   *     can be made
   */
  Object newCallback(InvocationHandler handler) {
    return AgentProxies.implement(callback, handler);
  }

  String method(Object request) {
    return string(getMethod, request);
  }

  String scheme(Object request) {
    return string(uriScheme, object(getHttpUri, request));
  }

  /** The path as received, not decoded. */
  String path(Object request) {
    return string(uriPath, object(getHttpUri, request));
  }

  /** The query as received, not decoded; {@code null} if none. */
  String query(Object request) {
    return string(uriQuery, object(getHttpUri, request));
  }

  String header(Object request, String name) {
    return string(fieldValue, object(getRequestHeaders, request), name);
  }

  List<String> headers(Object request, String name) {
    return strings(fieldValues, object(getRequestHeaders, request), name);
  }

  /**
   * @return e.g. {@code HTTP/1.1}
   */
  String protocol(Object request) {
    return string(getProtocol, object(getConnectionMetaData, request));
  }

  SocketAddress remoteAddress(Object request) {
    Object address = object(getRemoteSocketAddress, object(getConnectionMetaData, request));
    return address instanceof SocketAddress ? (SocketAddress) address : null;
  }

  SocketAddress localAddress(Object request) {
    Object address = object(getLocalSocketAddress, object(getConnectionMetaData, request));
    return address instanceof SocketAddress ? (SocketAddress) address : null;
  }

  /**
   * @return the status set so far; 0 while none is
   */
  int status(Object response) {
    return integer(getStatus, response);
  }

  boolean isCommitted(Object response) {
    return bool(isCommitted, response);
  }

  List<String> responseHeaders(Object response, String name) {
    return strings(fieldValues, object(getResponseHeaders, response), name);
  }
}
