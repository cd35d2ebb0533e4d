/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.jetty;

import dev.opsagent.servers.servlet.SampleInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;

/**
 * Embedded Jetty ({@code jetty-servlet}) running the sample servlets at the root context, on {@code
 * 127.0.0.1} and a free port; prints {@code READY port=<n>} once it serves. The same source is
 * compiled against Jetty 9.4 (javax.servlet) and 11.0 (jakarta.servlet).
 */
public final class JettyApp {

  private JettyApp() {}

  // ServletContextHandler.Initializer: the one way to run an initializer that both lines have
  // (Jetty 11 deprecates it for addServletContainerInitializer, which 9.4 lacks).
  @SuppressWarnings("deprecation")
  public static void main(String[] args) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    context.addBean(new ServletContextHandler.Initializer(context, new SampleInitializer()), true);
    server.setHandler(context);
    server.setStopAtShutdown(true);

    server.start();
    System.out.println("READY port=" + connector.getLocalPort());
    server.join();
  }
}
