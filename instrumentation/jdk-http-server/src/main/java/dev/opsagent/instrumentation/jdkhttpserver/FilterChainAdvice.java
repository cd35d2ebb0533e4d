/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jdkhttpserver;

import dev.opsagent.bootstrap.Bridge;
import net.bytebuddy.asm.Advice;

/**
 * Advice on {@code com.sun.net.httpserver.Filter.Chain.doFilter(HttpExchange)}: the server runs
 * every exchange through it, HTTP and HTTPS alike, and it wraps the user filters, the server's own
 * filters and the context's handler. One public JDK class, matched by name, instead of every {@code
 * HttpHandler} implementation in the application; the chain calls itself once per filter, and only
 * the outermost call records.
 */
final class FilterChainAdvice {

  private FilterChainAdvice() {}

  /** Inlined into {@code Filter.Chain.doFilter}: one call into the recorder on each side. */
  @SuppressWarnings("unused")
  public static final class DoFilterAdvice {

    private DoFilterAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) Object exchange) {
      return Bridge.jdkHttpServer.onEnter(exchange);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(
        @Advice.Enter Object token,
        @Advice.Argument(0) Object exchange,
        @Advice.Thrown Throwable thrown) {
      Bridge.jdkHttpServer.onExit(token, exchange, thrown);
    }
  }
}
