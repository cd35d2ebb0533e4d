/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jdkhttpserver;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpExchange;
import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.ExactTypeInstrumentation;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.http.HttpCapture;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import java.util.Collections;
import java.util.List;

/**
 * The JDK's built-in HTTP and HTTPS server, {@code com.sun.net.httpserver} (module jdk.httpserver).
 */
public final class JdkHttpServerInstrumentationModule implements InstrumentationModule {

  @Override
  public String name() {
    return "jdk-http-server";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.singletonList(
        new ExactTypeInstrumentation(
            "com.sun.net.httpserver.Filter$Chain",
            () -> named("doFilter").and(takesArguments(1)).and(isPublic()),
            FilterChainAdvice.class.getName() + "$DoFilterAdvice"));
  }

  @Override
  public void start(AgentContext context) {
    Bridge.jdkHttpServer =
        new HttpServerRecorder<>(
            context.health(name()),
            HttpExchange.class,
            JdkHttpExchangeAccessor.INSTANCE,
            context.telemetry(),
            HttpCapture.from(context.config()));
  }
}
