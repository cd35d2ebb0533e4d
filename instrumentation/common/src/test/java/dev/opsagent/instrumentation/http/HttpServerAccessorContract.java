/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an accessor reads from a real server's objects, the same requests sent to every server. A
 * server's test starts the server with a handler that gives each request, as the agent sees it, to
 * a reader, and then responds.
 *
 * @param <X> what the accessor reads
 */
public abstract class HttpServerAccessorContract<X> {

  private final HttpClient client = HttpClient.newHttpClient();

  /** What the handler read, by name; written on the server's thread before it responds. */
  protected final Map<String, Object> read = Collections.synchronizedMap(new LinkedHashMap<>());

  /** The server's port, once started. */
  protected int port;

  protected abstract HttpServerAccessor<X> accessor();

  /**
   * Starts the server on 127.0.0.1, on a free port.
   *
   * @param reader given each request as the agent sees it, before the handler responds
   * @return the port
   */
  protected abstract int start(Consumer<X> reader) throws Exception;

  /** Stops the server, if it was started. */
  protected abstract void stop() throws Exception;

  /** Sets the response's status and adds values of a response header, as an application does. */
  protected abstract void respond(X exchange, int status, String header, String... values);

  @AfterEach
  void stopServer() throws Exception {
    stop();
  }

  protected HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .version(HttpClient.Version.HTTP_1_1);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readsTheRequestAsReceived() throws Exception {
    HttpServerAccessor<X> accessor = accessor();
    port =
        start(
            exchange -> {
              read.put("method", accessor.method(exchange));
              read.put("scheme", accessor.scheme(exchange));
              read.put("path", accessor.rawPath(exchange));
              read.put("query", accessor.rawQuery(exchange));
              read.put("route", accessor.route(exchange));
              read.put("header", accessor.requestHeader(exchange, "x-test"));
              read.put("headers", accessor.requestHeaders(exchange, "x-test"));
              read.put("absent", accessor.requestHeaders(exchange, "x-absent"));
              read.put("version", accessor.protocolVersion(exchange));
              read.put("peer", accessor.peerAddress(exchange));
              read.put("peerPort", accessor.peerPort(exchange));
              read.put("local", accessor.localAddress(exchange));
              read.put("localPort", accessor.localPort(exchange));
            });

    get("/a%20b/c?x=1&y=%20", "X-Test", "one", "X-Test", "two");

    assertThat(read)
        .containsEntry("method", "GET")
        .containsEntry("scheme", "http")
        .containsEntry("path", "/a%20b/c")
        .containsEntry("query", "x=1&y=%20")
        .containsEntry("route", null)
        .containsEntry("header", "one")
        .containsEntry("headers", Arrays.asList("one", "two"))
        .containsEntry("absent", Collections.emptyList())
        .containsEntry("version", "1.1")
        .containsEntry("peer", "127.0.0.1")
        .containsEntry("local", "127.0.0.1")
        .containsEntry("localPort", port);
    assertThat((int) read.get("peerPort")).isPositive().isNotEqualTo(port);
  }

  @Test
  void requestWithoutQueryHasNone() throws Exception {
    port = start(exchange -> read.put("query", accessor().rawQuery(exchange)));

    get("/plain");

    assertThat(read).containsEntry("query", null);
  }

  @Test
  void readsTheResponseStatusAndHeaders() throws Exception {
    HttpServerAccessor<X> accessor = accessor();
    port =
        start(
            exchange -> {
              read.put("unset", accessor.statusCode(exchange));
              respond(exchange, 201, "X-Reply", "a", "b");
              read.put("set", accessor.statusCode(exchange));
              read.put("headers", accessor.responseHeaders(exchange, "x-reply"));
            });

    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(read)
        .as("a response without a status is sent as 200")
        .containsEntry("unset", 200)
        .containsEntry("set", 201)
        .containsEntry("headers", Arrays.asList("a", "b"));
  }
}
