/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.ExactTypeInstrumentation;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.http.HttpCapture;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import java.util.Collections;
import java.util.List;

/**
 * Undertow (2.2 and 2.3) at its core: {@code Connectors.executeRootHandler(HttpHandler,
 * HttpServerExchange)}, which runs every exchange's root handler, whether core handlers or servlets
 * handle it, over HTTP/1.1, HTTP/2 or AJP. The agent calls Undertow's API through method handles.
 */
public final class UndertowInstrumentationModule implements InstrumentationModule {

  @Override
  public String name() {
    return "undertow";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.singletonList(
        new ExactTypeInstrumentation(
            "io.undertow.server.Connectors",
            () ->
                named("executeRootHandler").and(takesArguments(2)).and(isStatic()).and(isPublic()),
            ExecuteRootHandlerAdvice.class.getName()));
  }

  @Override
  public void start(AgentContext context) {
    InstrumentationHealth health = context.health(name());
    Bridge.undertow =
        new UndertowRecorderHooks(
            health,
            new HttpServerRecorder<>(
                health,
                UndertowExchange.class,
                UndertowAccessor.INSTANCE,
                context.telemetry(),
                HttpCapture.from(context.config())));
  }
}
