/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import static dev.opsagent.instrumentation.http.ReflectiveCalls.handle;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.integer;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.object;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.string;
import static dev.opsagent.instrumentation.http.ReflectiveCalls.strings;

import dev.opsagent.instrumentation.http.AgentProxies;
import dev.opsagent.instrumentation.http.ReflectiveCalls;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The core API of one Undertow server ({@code HttpServerExchange}, {@code HeaderMap}, exchange
 * attachments and completion listeners), called through method handles ({@link
 * dev.opsagent.instrumentation.http.ReflectiveCalls}): the agent's classes cannot link against it.
 * Handles are looked up once per exchange class; every call answers {@code null} (or -1, or {@code
 * false}) rather than throw.
 */
final class UndertowApi {

  private static final String EXCHANGE = "io.undertow.server.HttpServerExchange";

  /** Per exchange class: its server's API; empty if it is no Undertow exchange. */
  private static final ClassValue<Optional<UndertowApi>> BY_EXCHANGE_CLASS =
      ReflectiveCalls.perClass(
          exchangeClass ->
              exchangeClass.getName().equals(EXCHANGE) ? new UndertowApi(exchangeClass) : null);

  /** {@code ExchangeCompletionListener}, which the agent implements with a proxy. */
  private final Class<?> completionListener;

  /** The agent's own attachment: the request an exchange's dispatched parts work for. */
  private final Object requestKey;

  private final MethodHandle getRequestMethod;
  private final MethodHandle getRequestScheme;
  private final MethodHandle getRequestUri;
  private final MethodHandle getQueryString;
  private final MethodHandle getRequestHeaders;
  private final MethodHandle getProtocol;
  private final MethodHandle getSourceAddress;
  private final MethodHandle getDestinationAddress;
  private final MethodHandle getStatusCode;
  private final MethodHandle getResponseHeaders;
  private final MethodHandle headerValue;
  private final MethodHandle headerValues;
  private final MethodHandle addExchangeCompleteListener;
  private final MethodHandle getAttachment;
  private final MethodHandle putAttachment;
  private final MethodHandle proceed;

  private UndertowApi(Class<?> exchange) throws ReflectiveOperationException {
    ClassLoader loader = exchange.getClassLoader();
    Class<?> httpString = Class.forName("io.undertow.util.HttpString", false, loader);
    Class<?> headerMap = Class.forName("io.undertow.util.HeaderMap", false, loader);
    Class<?> headerValuesType = Class.forName("io.undertow.util.HeaderValues", false, loader);
    Class<?> attachmentKey = Class.forName("io.undertow.util.AttachmentKey", false, loader);
    completionListener =
        Class.forName("io.undertow.server.ExchangeCompletionListener", false, loader);
    Class<?> nextListener =
        Class.forName("io.undertow.server.ExchangeCompletionListener$NextListener", false, loader);
    requestKey = attachmentKey.getMethod("create", Class.class).invoke(null, Object.class);
    getRequestMethod = handle(exchange, "getRequestMethod", httpString);
    getRequestScheme = handle(exchange, "getRequestScheme", String.class);
    getRequestUri = handle(exchange, "getRequestURI", String.class);
    getQueryString = handle(exchange, "getQueryString", String.class);
    getRequestHeaders = handle(exchange, "getRequestHeaders", headerMap);
    getProtocol = handle(exchange, "getProtocol", httpString);
    getSourceAddress = handle(exchange, "getSourceAddress", InetSocketAddress.class);
    getDestinationAddress = handle(exchange, "getDestinationAddress", InetSocketAddress.class);
    getStatusCode = handle(exchange, "getStatusCode", int.class);
    getResponseHeaders = handle(exchange, "getResponseHeaders", headerMap);
    headerValue = handle(headerMap, "getFirst", String.class, String.class);
    headerValues = handle(headerMap, "get", headerValuesType, String.class);
    addExchangeCompleteListener =
        handle(exchange, "addExchangeCompleteListener", exchange, completionListener);
    getAttachment = handle(exchange, "getAttachment", Object.class, attachmentKey);
    putAttachment = handle(exchange, "putAttachment", Object.class, attachmentKey, Object.class);
    proceed = handle(nextListener, "proceed", void.class);
  }

  /**
   * @return the API of {@code exchange}'s server, or {@code null} if it is no Undertow exchange
   */
  static UndertowApi of(Object exchange) {
    return BY_EXCHANGE_CLASS.get(exchange.getClass()).orElse(null);
  }

  String method(Object exchange) {
    return string(getRequestMethod, exchange);
  }

  String scheme(Object exchange) {
    return string(getRequestScheme, exchange);
  }

  /**
   * @return the request's target as received, not decoded, without its query; with the scheme and
   *     host if the client sent them
   */
  String requestUri(Object exchange) {
    return string(getRequestUri, exchange);
  }

  /**
   * @return the query as received, without {@code ?}; empty if none
   */
  String queryString(Object exchange) {
    return string(getQueryString, exchange);
  }

  String header(Object exchange, String name) {
    return string(headerValue, object(getRequestHeaders, exchange), name);
  }

  List<String> headers(Object exchange, String name) {
    return strings(headerValues, object(getRequestHeaders, exchange), name);
  }

  /**
   * @return e.g. {@code HTTP/1.1}
   */
  String protocol(Object exchange) {
    return string(getProtocol, exchange);
  }

  InetSocketAddress sourceAddress(Object exchange) {
    return (InetSocketAddress) object(getSourceAddress, exchange);
  }

  InetSocketAddress destinationAddress(Object exchange) {
    return (InetSocketAddress) object(getDestinationAddress, exchange);
  }

  int statusCode(Object exchange) {
    return integer(getStatusCode, exchange);
  }

  List<String> responseHeaders(Object exchange, String name) {
    return strings(headerValues, object(getResponseHeaders, exchange), name);
  }

  /**
   * @return the request the agent attached to the exchange, or {@code null}
   */
  Object attachedRequest(Object exchange) {
    return object(getAttachment, exchange, requestKey);
  }

  void attachRequest(Object exchange, Object request) {
    try {
      putAttachment.invoke(exchange, requestKey, request);
    } catch (Throwable t) {
      // Dispatched parts of the request will not be counted for it.
    }
  }

  /**
   * @return whether {@code handler} will hear, through a proxy of {@code
   *     ExchangeCompletionListener}, when the exchange completes
   */
  boolean listenForCompletion(Object exchange, InvocationHandler handler) {
    Object listener = AgentProxies.implement(completionListener, handler);
    // It answers the exchange; null if it failed.
    return listener != null && object(addExchangeCompleteListener, exchange, listener) != null;
  }

  /** Hands the exchange's completion on to the next listener, which every listener must do. */
  void proceed(Object nextListener) throws Throwable {
    proceed.invokeExact(nextListener);
  }
}
