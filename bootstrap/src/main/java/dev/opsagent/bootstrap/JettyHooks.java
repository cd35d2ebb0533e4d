/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * What advice woven into Jetty 12's {@code Server.handle(Request, Response, Callback)}, the entry
 * point of every request, calls. The request ends when its callback completes, which may be after
 * {@code handle} returned: the advice passes on the callback {@link #onEnter} gives in place of the
 * server's own. The implementation lives in the agent class loader; advice reaches it through
 * {@link Bridge}. Implementations never throw.
 */
public interface JettyHooks {

  /**
   * {@code Server.handle} starts handling a request.
   *
   * @return the callback to pass on, also the token to hand to {@link #onExit}: the agent's own,
   *     which tells it when the request completes, or {@code callback} itself when this call
   *     records nothing
   */
  Object onEnter(Object request, Object response, Object callback);

  /**
   * {@code Server.handle} returned or threw.
   *
   * @param token what {@link #onEnter} returned; anything but the agent's callback is ignored
   * @param handled what {@code handle} returned: {@code false} when no handler took the request
   * @param thrown what it threw, or {@code null}
   */
  void onExit(Object token, boolean handled, Throwable thrown);

  /** Records nothing: in place until the agent has started. */
  JettyHooks NO_OP =
      new JettyHooks() {
        @Override
        public Object onEnter(Object request, Object response, Object callback) {
          return callback;
        }

        @Override
        public void onExit(Object token, boolean handled, Throwable thrown) {}
      };
}
