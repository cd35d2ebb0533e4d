/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.instrumentation.http.HttpServerAccessor;
import dev.opsagent.instrumentation.http.HttpServerAccessorContract;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The accessor on the exchanges of a real Undertow server. */
class UndertowAccessorTest extends HttpServerAccessorContract<UndertowExchange> {

  private Undertow server;

  @Override
  protected HttpServerAccessor<UndertowExchange> accessor() {
    return UndertowAccessor.INSTANCE;
  }

  @Override
  protected int start(Consumer<UndertowExchange> reader) {
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                exchange -> {
                  reader.accept(new UndertowExchange(exchange, UndertowApi.of(exchange)));
                  exchange.getResponseSender().send("done");
                })
            .build();
    server.start();
    return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
  }

  @Override
  protected void stop() {
    if (server != null) {
      server.stop();
    }
  }

  @Override
  protected void respond(UndertowExchange exchange, int status, String header, String... values) {
    HttpServerExchange undertow = (HttpServerExchange) exchange.exchange;
    undertow.setStatusCode(status);
    for (String value : values) {
      undertow.getResponseHeaders().add(HttpString.tryFromString(header), value);
    }
  }

  @Test
  void pathOfAnAbsoluteRequestTargetLeavesTheSchemeAndHostOut() throws Exception {
    port =
        start(
            exchange -> {
              read.put("path", accessor().rawPath(exchange));
              read.put("query", accessor().rawQuery(exchange));
            });

    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET http://127.0.0.1:"
                  + port
                  + "/abs/p?q=1 HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.getInputStream().readAllBytes();
    }

    assertThat(read).containsEntry("path", "/abs/p").containsEntry("query", "q=1");
  }

  @Test
  void anObjectThatIsNoExchangeHasNoApi() {
    assertThat(UndertowApi.of("not an exchange")).isNull();
  }
}
