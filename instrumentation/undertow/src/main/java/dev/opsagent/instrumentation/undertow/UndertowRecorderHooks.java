/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.bootstrap.UndertowHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.http.AgentProxies;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import dev.opsagent.instrumentation.http.RequestCompletion;
import dev.opsagent.instrumentation.runtime.RequestTasks;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * One server span per exchange, at Undertow's {@code Connectors.executeRootHandler}:
 *
 * <ul>
 *   <li>The first call for an exchange records it. It ends when the exchange completes, which may
 *       be before the root handler returns or later, from any thread: the agent listens with an
 *       {@code ExchangeCompletionListener}, a proxy of Undertow's own.
 *   <li>A handler that dispatches the exchange to a worker thread returns before it completes; the
 *       server calls {@code executeRootHandler} again there for the dispatched part, which is found
 *       by the request the agent attached to the exchange: it records nothing, and its work counts
 *       for the request.
 * </ul>
 */
final class UndertowRecorderHooks implements UndertowHooks {

  private final InstrumentationHealth health;
  private final HttpServerRecorder<UndertowExchange> recorder;

  UndertowRecorderHooks(
      InstrumentationHealth health, HttpServerRecorder<UndertowExchange> recorder) {
    this.health = health;
    this.recorder = recorder;
  }

  @Override
  public Object onEnter(Object handler, Object exchange) {
    if (health.isDisabled()) {
      return null;
    }
    try {
      return enter(handler, exchange);
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void onExit(Object token, Throwable thrown) {
    try {
      exit(token, thrown);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  private Object enter(Object handler, Object exchange) {
    if (exchange == null) {
      return null;
    }
    UndertowApi api = UndertowApi.of(exchange);
    if (api == null) {
      return null;
    }
    Object attached = api.attachedRequest(exchange);
    if (attached instanceof RequestContext) {
      RequestContext request = (RequestContext) attached;
      return request.isEnded()
          ? null
          : RequestTasks.runningFor(request, handler != null ? handler : exchange);
    }
    UndertowExchange recorded = new UndertowExchange(exchange, api);
    Object token = recorder.onEnter(recorded);
    if (token == null) {
      return null;
    }
    RequestCompletion<UndertowExchange> completion =
        new RequestCompletion<>(recorder, token, recorded);
    api.attachRequest(exchange, token);
    boolean listening = api.listenForCompletion(exchange, new CompletionListener(api, completion));
    return new FirstPart(completion, listening);
  }

  private static void exit(Object token, Throwable thrown) {
    if (token instanceof FirstPart) {
      FirstPart first = (FirstPart) token;
      first.completion.entryPointReturned(first.listening, thrown);
    } else {
      // A dispatched part, or nothing.
      RequestTasks.runningFinished(token);
    }
  }

  /** The agent's {@code ExchangeCompletionListener} for one exchange. */
  private static final class CompletionListener implements InvocationHandler {
    private final UndertowApi api;
    private final RequestCompletion<UndertowExchange> completion;

    CompletionListener(UndertowApi api, RequestCompletion<UndertowExchange> completion) {
      this.api = api;
      this.completion = completion;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (!method.getName().equals("exchangeEvent") || args == null || args.length != 2) {
        return AgentProxies.identity(proxy, method, args);
      }
      try {
        completion.completed(null);
      } catch (Throwable t) {
        // Never into the server.
      }
      // Undertow finishes the exchange, and calls the listeners added before the agent's, when
      // told to proceed.
      api.proceed(args[1]);
      return null;
    }
  }

  /** The first call for an exchange, which records it. */
  private static final class FirstPart {
    final RequestCompletion<UndertowExchange> completion;

    /** Whether the exchange will tell when it completes; if not, it ends as the call returns. */
    final boolean listening;

    FirstPart(RequestCompletion<UndertowExchange> completion, boolean listening) {
      this.completion = completion;
      this.listening = listening;
    }
  }
}
