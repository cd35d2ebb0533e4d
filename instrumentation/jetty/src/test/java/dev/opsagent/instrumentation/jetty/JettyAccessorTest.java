/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.instrumentation.http.HttpServerAccessor;
import dev.opsagent.instrumentation.http.HttpServerAccessorContract;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** The accessor on the request and response objects of a real Jetty 12 server. */
class JettyAccessorTest extends HttpServerAccessorContract<JettyExchange> {

  private Server server;

  @Override
  protected HttpServerAccessor<JettyExchange> accessor() {
    return JettyAccessor.INSTANCE;
  }

  @Override
  protected int start(Consumer<JettyExchange> reader) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            reader.accept(new JettyExchange(request, response, JettyApi.of(request)));
            callback.succeeded();
            return true;
          }
        });
    server.start();
    return connector.getLocalPort();
  }

  @Override
  protected void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  @Override
  protected void respond(JettyExchange exchange, int status, String header, String... values) {
    Response response = (Response) exchange.response;
    response.setStatus(status);
    for (String value : values) {
      response.getHeaders().add(header, value);
    }
  }

  @Test
  void declinedRequestIsA404AndAFailedOneWithoutResponseHasNoStatusYet() throws Exception {
    port =
        start(
            exchange -> {
              respond(exchange, 200, "X-Reply", "a");
              exchange.failed = true;
              read.put("failed", accessor().statusCode(exchange));
              exchange.failed = false;
              exchange.declined = true;
              read.put("declined", accessor().statusCode(exchange));
            });

    get("/");

    assertThat(read).containsEntry("failed", 0).containsEntry("declined", 404);
  }

  @Test
  void anObjectThatIsNoJettyRequestHasNoApi() {
    assertThat(JettyApi.of("not a request")).isNull();
  }
}
