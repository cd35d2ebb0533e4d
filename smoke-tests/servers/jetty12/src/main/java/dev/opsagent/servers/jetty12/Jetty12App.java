/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.jetty12;

import dev.opsagent.servers.servlet.SampleInitializer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;

/**
 * Embedded Jetty 12 on {@code 127.0.0.1} and a free port: the sample servlets (ee10) at the root
 * context, and a Jetty core {@link Handler} at {@code /core} that no servlet or filter sees (200
 * {@code core}). Prints {@code READY port=<n>} once it serves.
 */
public final class Jetty12App {

  private Jetty12App() {}

  public static void main(String[] args) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler servlets = new ServletContextHandler("/");
    servlets.addServletContainerInitializer(new SampleInitializer());
    ContextHandler core = new ContextHandler(new CoreHandler(), "/core");
    core.setAllowNullPathInContext(true);
    server.setHandler(new ContextHandlerCollection(core, servlets));
    server.setStopAtShutdown(true);

    server.start();
    System.out.println("READY port=" + connector.getLocalPort());
    server.join();
  }

  /** 200 {@code core}, written by Jetty's core API alone. */
  static final class CoreHandler extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
      Content.Sink.write(response, true, "core", callback);
      return true;
    }
  }
}
