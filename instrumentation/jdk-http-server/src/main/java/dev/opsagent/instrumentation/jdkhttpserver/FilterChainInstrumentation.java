/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jdkhttpserver;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code com.sun.net.httpserver.Filter.Chain.doFilter(HttpExchange)}: the server runs every
 * exchange through it, HTTP and HTTPS alike, and it wraps the user filters, the server's own
 * filters and the context's handler. One public JDK class, matched by name, instead of every {@code
 * HttpHandler} implementation in the application; the chain calls itself once per filter, and only
 * the outermost call records.
 */
final class FilterChainInstrumentation implements TypeInstrumentation {

  private static final String TYPE = "com.sun.net.httpserver.Filter$Chain";
  private static final String INTERNAL_NAME = TYPE.replace('.', '/');

  @Override
  public boolean mayMatch(String internalName) {
    return INTERNAL_NAME.equals(internalName);
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TYPE);
  }

  @Override
  public ElementMatcher<? super MethodDescription> methodMatcher() {
    return named("doFilter").and(takesArguments(1)).and(isPublic());
  }

  @Override
  public String adviceClassName() {
    return FilterChainInstrumentation.class.getName() + "$DoFilterAdvice";
  }

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
