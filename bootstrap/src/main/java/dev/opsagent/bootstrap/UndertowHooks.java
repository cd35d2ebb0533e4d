/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * What advice woven into Undertow's {@code Connectors.executeRootHandler(HttpHandler,
 * HttpServerExchange)} calls: the server runs every request's root handler through it, and again
 * each part of a request dispatched to another thread. The implementation lives in the agent class
 * loader; advice reaches it through {@link Bridge}. Implementations never throw.
 */
public interface UndertowHooks {

  /**
   * A root handler starts handling an exchange.
   *
   * @return a token to hand to {@link #onExit}, or {@code null} when this call records nothing
   */
  Object onEnter(Object handler, Object exchange);

  /**
   * The root handler returned or threw.
   *
   * @param token what {@link #onEnter} returned; {@code null} is ignored
   * @param thrown what it threw, or {@code null}
   */
  void onExit(Object token, Throwable thrown);

  /** Records nothing: in place until the agent has started. */
  UndertowHooks NO_OP =
      new UndertowHooks() {
        @Override
        public Object onEnter(Object handler, Object exchange) {
          return null;
        }

        @Override
        public void onExit(Object token, Throwable thrown) {}
      };
}
