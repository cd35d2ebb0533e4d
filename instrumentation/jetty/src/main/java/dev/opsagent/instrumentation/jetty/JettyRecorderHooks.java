/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import dev.opsagent.bootstrap.JettyHooks;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import dev.opsagent.instrumentation.http.RequestCompletion;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One server span per request, at Jetty 12's {@code Server.handle}. A request ends when its
 * callback completes, which a handler may do before {@code handle} returns or later, from any
 * thread: the agent passes on its own callback, a proxy of Jetty's {@code Callback} that notes the
 * completion and forwards every call to the server's callback. A request that {@code handle}
 * declined (returned {@code false}) or threw on ends as it returns: the server answers it with the
 * callback it kept.
 */
final class JettyRecorderHooks implements JettyHooks {

  private final InstrumentationHealth health;
  private final HttpServerRecorder<JettyExchange> recorder;

  JettyRecorderHooks(InstrumentationHealth health, HttpServerRecorder<JettyExchange> recorder) {
    this.health = health;
    this.recorder = recorder;
  }

  @Override
  public Object onEnter(Object request, Object response, Object callback) {
    if (health.isDisabled()) {
      return callback;
    }
    try {
      return enter(request, response, callback);
    } catch (Throwable t) {
      health.failed(t);
      return callback;
    }
  }

  @Override
  public void onExit(Object token, boolean handled, Throwable thrown) {
    try {
      exit(token, handled, thrown);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  private Object enter(Object request, Object response, Object callback) {
    if (request == null || response == null || callback == null) {
      return callback;
    }
    JettyApi api = JettyApi.of(request);
    if (api == null) {
      return callback;
    }
    JettyExchange exchange = new JettyExchange(request, response, api);
    Object token = recorder.onEnter(exchange);
    if (token == null) {
      return callback;
    }
    RequestCompletion<JettyExchange> completion =
        new RequestCompletion<>(recorder, token, exchange);
    Object agentCallback = api.newCallback(new CompletionCallback(callback, exchange, completion));
    if (agentCallback == null) {
      // Without its own callback the agent would not see the request complete: it ends now.
      completion.entryPointReturned(false, null);
      return callback;
    }
    return agentCallback;
  }

  private static void exit(Object token, boolean handled, Throwable thrown) {
    if (token == null || !Proxy.isProxyClass(token.getClass())) {
      return;
    }
    InvocationHandler handler = Proxy.getInvocationHandler(token);
    if (!(handler instanceof CompletionCallback)) {
      return;
    }
    CompletionCallback callback = (CompletionCallback) handler;
    boolean completesLater = handled && thrown == null;
    callback.exchange.declined = !handled && thrown == null;
    if (thrown != null) {
      callback.exchange.failed = true;
    }
    callback.completion.entryPointReturned(completesLater, thrown);
  }

  /** The agent's callback for one request. */
  private static final class CompletionCallback implements InvocationHandler {
    private final Object serverCallback;
    final JettyExchange exchange;
    final RequestCompletion<JettyExchange> completion;

    /**
     * A callback completes once; a second {@code succeeded} or {@code failed} is Jetty's to judge.
     */
    private final AtomicBoolean completed = new AtomicBoolean();

    CompletionCallback(
        Object serverCallback,
        JettyExchange exchange,
        RequestCompletion<JettyExchange> completion) {
      this.serverCallback = serverCallback;
      this.exchange = exchange;
      this.completion = completion;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (args == null && name.equals("succeeded")) {
        complete(null);
      } else if (args != null && args.length == 1 && name.equals("failed")) {
        complete(args[0] instanceof Throwable ? (Throwable) args[0] : null);
      } else if (args != null && args.length == 1 && name.equals("equals") && args[0] == proxy) {
        return true;
      }
      try {
        return method.invoke(serverCallback, args);
      } catch (InvocationTargetException e) {
        // What the server's callback threw, unchanged.
        throw e.getCause();
      }
    }

    /**
     * Notes the completion before the server's callback hears of it: once it has, the server may
     * recycle the response the recorder reads.
     */
    private void complete(Throwable failure) {
      if (!completed.compareAndSet(false, true)) {
        return;
      }
      try {
        if (failure != null) {
          exchange.failed = true;
        }
        completion.completed(failure);
      } catch (Throwable t) {
        // Never into the server.
      }
    }
  }
}
