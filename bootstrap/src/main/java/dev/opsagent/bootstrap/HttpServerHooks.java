/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * What advice woven into an HTTP server calls at the start and the end of a request. The
 * implementation lives in the agent class loader; advice reaches it through {@link Bridge}.
 *
 * <p>Implementations never throw.
 */
public interface HttpServerHooks {

  /**
   * A server starts handling a request.
   *
   * @param exchange the server's request (or exchange) object
   * @return a token to hand to {@link #onExit}, or {@code null} when this call records nothing
   *     (nested handler, agent disabled)
   */
  Object onEnter(Object exchange);

  /**
   * The server's handler returned or threw.
   *
   * @param token what {@link #onEnter} returned; {@code null} is ignored
   * @param exchange the same object as given to {@link #onEnter}
   * @param thrown what the handler threw, or {@code null}
   */
  void onExit(Object token, Object exchange, Throwable thrown);

  /** Records nothing: in place until the agent has started, and again after it stopped. */
  HttpServerHooks NO_OP =
      new HttpServerHooks() {
        @Override
        public Object onEnter(Object exchange) {
          return null;
        }

        @Override
        public void onExit(Object token, Object exchange, Throwable thrown) {}
      };
}
