/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.ServletHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.http.AgentProxies;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * One server span per request, at the outermost servlet or filter:
 *
 * <ul>
 *   <li>A servlet or filter called while a request is current on the thread (the rest of the filter
 *       chain, a forward, an include) is inside it and records nothing. Where the server's own
 *       entry point records requests (Jetty 12, Undertow), the outermost servlet tells it the
 *       route.
 *   <li>Only the server's first dispatch of a request records it. An asynchronous dispatch
 *       continues the request it belongs to: its work is counted for it. An error dispatch (an
 *       error page) comes after the request's span.
 *   <li>A request that went asynchronous ({@code startAsync}) ends when its {@code AsyncContext}
 *       completes, after a time-out or an error too: the agent listens to it with an {@code
 *       AsyncListener}, a proxy of the application's own servlet API.
 * </ul>
 */
final class ServletRecorderHooks implements ServletHooks {

  /** Where the request being recorded is kept, for its asynchronous dispatches. */
  static final String REQUEST_ATTRIBUTE = "dev.opsagent.request";

  private final InstrumentationHealth health;
  private final HttpServerRecorder<ServletExchange> recorder;

  ServletRecorderHooks(InstrumentationHealth health, HttpServerRecorder<ServletExchange> recorder) {
    this.health = health;
    this.recorder = recorder;
  }

  @Override
  public Object onEnter(Object request, Object response) {
    if (health.isDisabled()) {
      return null;
    }
    try {
      return enter(request, response);
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void onExit(Object token, Object request, Object response, Throwable thrown) {
    try {
      exit(token, request, thrown);
    } catch (Throwable t) {
      health.failed(t);
      if (token instanceof ServletExchange) {
        // The request this servlet recorded is not this thread's any more, whatever failed.
        RequestContext.clearCurrent();
      }
    }
  }

  private Object enter(Object request, Object response) {
    RequestContext current = RequestContext.current();
    if (current != null) {
      return tellRoute(current, request);
    }
    if (request == null) {
      return null;
    }
    ServletApi api = ServletApi.of(request);
    if (api == null) {
      return null;
    }
    String dispatch = api.dispatcherType(request);
    if ("ASYNC".equals(dispatch)) {
      Object recorded = api.attribute(request, REQUEST_ATTRIBUTE);
      return recorded instanceof RequestContext && !((RequestContext) recorded).isEnded()
          ? new AsyncDispatch(RequestTasks.runningFor((RequestContext) recorded, request))
          : null;
    }
    if (!"REQUEST".equals(dispatch)) {
      return null;
    }
    ServletExchange exchange = new ServletExchange(request, response, api);
    Object token = recorder.onEnter(exchange);
    if (token == null) {
      return null;
    }
    exchange.token = token;
    return exchange;
  }

  private void exit(Object token, Object request, Throwable thrown) {
    if (token instanceof AsyncDispatch) {
      RequestTasks.runningFinished(((AsyncDispatch) token).running);
      return;
    }
    if (token instanceof RouteWatch) {
      RouteWatch watch = (RouteWatch) token;
      HttpServerRecorder.routeMatched(
          watch.request, ServletAccessor.INSTANCE.finalRoute(watch.exchange));
      return;
    }
    if (!(token instanceof ServletExchange)) {
      return;
    }
    ServletExchange exchange = (ServletExchange) token;
    if (thrown == null && exchange.api.isAsyncStarted(request) && listen(exchange)) {
      exchange.api.setAttribute(request, REQUEST_ATTRIBUTE, exchange.token);
      recorder.onAsyncStarted(exchange.token);
      return;
    }
    exchange.failed = thrown != null;
    if (exchange.end()) {
      recorder.onExit(exchange.token, exchange, thrown);
    }
  }

  /**
   * A request recorded by the server's own entry point (Jetty's or Undertow's core handlers) gets
   * its route from the servlet mapping, or from Spring MVC once that matched it.
   */
  private static RouteWatch tellRoute(RequestContext current, Object request) {
    if (request == null || !HttpServerRecorder.needsRoute(current)) {
      return null;
    }
    ServletApi api = ServletApi.of(request);
    if (api == null) {
      return null;
    }
    ServletExchange exchange = new ServletExchange(request, null, api);
    HttpServerRecorder.routeMatched(current, ServletAccessor.INSTANCE.route(exchange));
    return new RouteWatch(current, exchange);
  }

  /**
   * @return whether the request's asynchronous context will tell when it completes
   */
  private boolean listen(ServletExchange exchange) {
    Object asyncContext = exchange.api.asyncContext(exchange.request);
    if (asyncContext == null) {
      return false;
    }
    Object listener = AgentProxies.implement(exchange.api.asyncListener, new Listener(exchange));
    return listener != null && exchange.api.addListener(asyncContext, listener);
  }

  /** The agent's {@code AsyncListener} for one request. */
  private final class Listener implements InvocationHandler {
    private final ServletExchange exchange;

    Listener(ServletExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      try {
        switch (method.getName()) {
          case "onComplete":
            complete();
            return null;
          case "onError":
            exchange.asyncError = exchange.api.eventThrowable(args[0]);
            return null;
          case "onStartAsync":
            // The request went asynchronous again: listeners must be added anew.
            Object asyncContext = exchange.api.eventAsyncContext(args[0]);
            if (asyncContext != null) {
              exchange.api.addListener(asyncContext, proxy);
            }
            return null;
          case "onTimeout":
            return null;
          default:
            return AgentProxies.identity(proxy, method, args);
        }
      } catch (Throwable t) {
        // Never into the server.
        health.failed(t);
        return null;
      }
    }

    private void complete() {
      if (exchange.end()) {
        Throwable error = exchange.asyncError;
        exchange.failed = error != null;
        recorder.onAsyncEnd(exchange.token, exchange, error);
      }
    }
  }

  /** The outermost servlet or filter of a request the server's entry point records. */
  private static final class RouteWatch {
    final RequestContext request;
    final ServletExchange exchange;

    RouteWatch(RequestContext request, ServletExchange exchange) {
      this.request = request;
      this.exchange = exchange;
    }
  }

  /** An asynchronous dispatch of a recorded request, running for it on the calling thread. */
  private static final class AsyncDispatch {
    final Object running;

    AsyncDispatch(Object running) {
      this.running = running;
    }
  }
}
