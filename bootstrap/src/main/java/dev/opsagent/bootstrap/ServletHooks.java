/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * What advice woven into servlets and filters ({@code javax.servlet} and {@code jakarta.servlet})
 * calls around {@code Servlet.service} and {@code Filter.doFilter}. The implementation lives in the
 * agent class loader; advice reaches it through {@link Bridge}. Implementations never throw.
 */
public interface ServletHooks {

  /**
   * A servlet or filter starts handling a request.
   *
   * @return a token to hand to {@link #onExit}, or {@code null} when this call records nothing (a
   *     filter or servlet inside another one, a dispatch of a request already recorded)
   */
  Object onEnter(Object request, Object response);

  /**
   * The servlet or filter returned or threw.
   *
   * @param token what {@link #onEnter} returned; {@code null} is ignored
   * @param thrown what it threw, or {@code null}
   */
  void onExit(Object token, Object request, Object response, Throwable thrown);

  /** Records nothing: in place until the agent has started. */
  ServletHooks NO_OP =
      new ServletHooks() {
        @Override
        public Object onEnter(Object request, Object response) {
          return null;
        }

        @Override
        public void onExit(Object token, Object request, Object response, Throwable thrown) {}
      };
}
