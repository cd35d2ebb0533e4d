/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.demo;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A plain JDK HTTP server that knows nothing of opsagent, but for one thing: it serves a few
 * endpoints and, before it sends itself one request of each kind and stops, waits until the agent
 * (if one was loaded) says that it is active. The agent sets itself up in the background while the
 * application starts, and records requests from then on; this demo would otherwise send its
 * requests before. Run with the agent, every request becomes a span.
 */
public final class DemoServer {

  private DemoServer() {}

  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    server.setExecutor(workers);
    server.createContext(
        "/hello",
        exchange -> {
          boolean known = exchange.getRequestURI().getPath().equals("/hello");
          respond(exchange, known ? 200 : 404, known ? "hello\n" : "not found\n");
        });
    server.createContext("/work", DemoServer::burnCpu).getFilters().add(timingFilter());
    server.createContext(
        "/fail",
        exchange -> {
          throw new IllegalStateException("the demo handler fails on purpose");
        });
    server.start();
    int port = server.getAddress().getPort();
    System.out.println("demo server listening on http://127.0.0.1:" + port);

    awaitAgent();
    HttpClient client = HttpClient.newHttpClient();
    send(client, port, "/hello?user=alice&token=s3cr3t", null);
    send(client, port, "/work?ms=40", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    send(client, port, "/hello/missing", null);
    send(client, port, "/fail", null);

    server.stop(0);
    workers.shutdown();
    System.out.println("demo done; the agent prints the spans as it flushes on exit");
  }

  /**
   * Waits, at most 30 s, while the agent's state (a system property it sets) says it is starting.
   */
  private static void awaitAgent() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ("starting".equals(System.getProperty("dev.opsagent.state"))
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static void send(HttpClient client, int port, String pathAndQuery, String traceparent)
      throws InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .header("Authorization", "Bearer demo-secret");
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      System.out.println("GET " + pathAndQuery + " -> " + response.statusCode());
    } catch (IOException e) {
      System.out.println("GET " + pathAndQuery + " -> connection closed by the server (" + e + ")");
    }
  }

  /** Burns the CPU time asked for in {@code ?ms=}, so the span's opsagent.cpu_time_ns shows it. */
  private static void burnCpu(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getQuery();
    long millis =
        query != null && query.startsWith("ms=") ? Long.parseLong(query.substring(3)) : 20;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long end = threads.getCurrentThreadCpuTime() + millis * 1_000_000;
    long spin = 0;
    while (threads.getCurrentThreadCpuTime() < end) {
      spin++;
    }
    respond(exchange, 200, "burned " + millis + " ms of CPU (" + spin + " clock reads)\n");
  }

  private static Filter timingFilter() {
    return new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        exchange.getResponseHeaders().add("X-Served-By", "demo");
        chain.doFilter(exchange);
      }

      @Override
      public String description() {
        return "adds X-Served-By";
      }
    };
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
