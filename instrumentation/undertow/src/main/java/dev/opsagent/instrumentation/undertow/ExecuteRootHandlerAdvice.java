/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into Undertow's {@code Connectors.executeRootHandler(HttpHandler, HttpServerExchange)}:
 * one call into {@link dev.opsagent.bootstrap.UndertowHooks} on each side.
 */
final class ExecuteRootHandlerAdvice {

  private ExecuteRootHandlerAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  public static Object enter(
      @Advice.Argument(0) Object handler, @Advice.Argument(1) Object exchange) {
    return Bridge.undertow.onEnter(handler, exchange);
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  public static void exit(@Advice.Enter Object token, @Advice.Thrown Throwable thrown) {
    Bridge.undertow.onExit(token, thrown);
  }
}
