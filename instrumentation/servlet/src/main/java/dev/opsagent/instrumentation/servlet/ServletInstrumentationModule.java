/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.DeclaredMethodInstrumentation;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.http.HttpCapture;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import java.util.Arrays;
import java.util.List;

/**
 * Servlets and filters of any server or application, {@code javax.servlet} (3.0+) and {@code
 * jakarta.servlet} (5, 6): every class that declares {@code service(ServletRequest,
 * ServletResponse)} or {@code doFilter(ServletRequest, ServletResponse, FilterChain)}. The agent
 * calls the servlet API through method handles, so one instrumentation serves both namespaces and
 * every version. {@code AsyncContext.start(Runnable)} hands its task off for the request.
 */
public final class ServletInstrumentationModule implements InstrumentationModule {

  private static final String[] NAMESPACES = {"javax/servlet/", "jakarta/servlet/"};

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    String[] service = new String[NAMESPACES.length];
    String[] doFilter = new String[NAMESPACES.length];
    for (int i = 0; i < NAMESPACES.length; i++) {
      String request = "L" + NAMESPACES[i] + "ServletRequest;";
      String response = "L" + NAMESPACES[i] + "ServletResponse;";
      service[i] = "(" + request + response + ")V";
      doFilter[i] = "(" + request + response + "L" + NAMESPACES[i] + "FilterChain;)V";
    }
    String advice = ServletAdvice.class.getName();
    return Arrays.asList(
        new DeclaredMethodInstrumentation("service", service, advice),
        new DeclaredMethodInstrumentation("doFilter", doFilter, advice),
        // AsyncContext.start runs the task on the container's own pool (Tomcat's, Jetty's, XNIO):
        // it works for the request.
        new DeclaredMethodInstrumentation(
            "start",
            new String[] {"(Ljava/lang/Runnable;)V"},
            AsyncStartAdvice.class.getName(),
            new String[] {"javax.servlet.AsyncContext", "jakarta.servlet.AsyncContext"}));
  }

  @Override
  public void start(AgentContext context) {
    InstrumentationHealth health = context.health(name());
    Bridge.servlet =
        new ServletRecorderHooks(
            health,
            new HttpServerRecorder<>(
                health,
                ServletExchange.class,
                ServletAccessor.INSTANCE,
                context.telemetry(),
                HttpCapture.from(context.config())));
  }
}
