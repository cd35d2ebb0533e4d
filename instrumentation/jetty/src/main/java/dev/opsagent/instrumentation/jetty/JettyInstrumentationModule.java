/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
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
 * Jetty 12 (12.0 and 12.1) at its core: {@code Server.handle(Request, Response, Callback)}, which
 * every request goes through, whether core handlers or servlets (ee8, ee9, ee10, ee11) handle it.
 * The agent calls Jetty's API through method handles.
 */
public final class JettyInstrumentationModule implements InstrumentationModule {

  @Override
  public String name() {
    return "jetty";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return Collections.singletonList(
        new ExactTypeInstrumentation(
            "org.eclipse.jetty.server.Server",
            () ->
                named("handle").and(takesArguments(3)).and(returns(boolean.class)).and(isPublic()),
            ServerHandleAdvice.class.getName()));
  }

  @Override
  public void start(AgentContext context) {
    InstrumentationHealth health = context.health(name());
    Bridge.jetty =
        new JettyRecorderHooks(
            health,
            new HttpServerRecorder<>(
                health,
                JettyExchange.class,
                JettyAccessor.INSTANCE,
                context.telemetry(),
                HttpCapture.from(context.config())));
  }
}
