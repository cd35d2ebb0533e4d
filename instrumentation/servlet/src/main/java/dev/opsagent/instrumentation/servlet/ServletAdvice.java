/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code Servlet.service(ServletRequest, ServletResponse)} and {@code
 * Filter.doFilter(ServletRequest, ServletResponse, FilterChain)} implementations: one call into
 * {@link dev.opsagent.bootstrap.ServletHooks} on each side.
 */
final class ServletAdvice {

  private ServletAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(
      @Advice.Argument(0) Object request, @Advice.Argument(1) Object response) {
    return Bridge.servlet.onEnter(request, response);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(
      @Advice.Enter Object token,
      @Advice.Argument(0) Object request,
      @Advice.Argument(1) Object response,
      @Advice.Thrown Throwable thrown) {
    Bridge.servlet.onExit(token, request, response, thrown);
  }
}
