package dev.opsagent.smoke.apps;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A plain application on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}). It knows
 * nothing of any agent: the smoke tests run it with opsagent attached and check what the agent
 * records for each of its endpoints.
 *
 * <p>Usage: {@code JdkHttpServerApp [--https <keystore.p12> <password>]}. It listens on {@code
 * 127.0.0.1} on a free port (and, with {@code --https}, on a second free port over TLS with that
 * PKCS12 key store) and prints {@code READY port=<p>[ httpsPort=<q>]} once it serves.
 *
 * <table>
 *   <caption>Endpoints (the same on both servers)</caption>
 *   <tr><td>{@code /hello}</td><td>200 {@code hello}, with response headers {@code X-Response-Id: r-123} and
 *       {@code Set-Cookie: session=cookie-secret-value}</td></tr>
 *   <tr><td>{@code /cpu?ms=N}</td><td>burns N ms of the handling thread's CPU time, then 200</td></tr>
 *   <tr><td>{@code /fail}</td><td>throws {@code IllegalStateException("boom")} (the server then drops the
 *       connection without a response)</td></tr>
 *   <tr><td>{@code /unavailable}</td><td>503</td></tr>
 *   <tr><td>{@code /filtered}</td><td>two filters, then a handler that delegates to an inner handler: 200</td></tr>
 *   <tr><td>{@code /exit}</td><td>200, then {@code System.exit(0)} about 200 ms later</td></tr>
 *   <tr><td>anything else</td><td>404</td></tr>
 * </table>
 */
public final class JdkHttpServerApp {

  private static final String LOOPBACK = "127.0.0.1";
  private static final int WORKER_THREADS = 4;

  /** Upper bound for {@code /cpu?ms=}, so a typo cannot keep a worker busy for long. */
  private static final long MAX_CPU_MS = 10_000;

  private static final long EXIT_DELAY_MS = 200;

  private JdkHttpServerApp() {}

  public static void main(String[] args) throws Exception {
    ExecutorService workers =
        Executors.newFixedThreadPool(WORKER_THREADS, namedThreads("app-worker"));

    HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
    serve(http, workers);
    String ready = "READY port=" + http.getAddress().getPort();

    if (args.length > 0) {
      if (args.length != 3 || !args[0].equals("--https")) {
        System.err.println("usage: JdkHttpServerApp [--https <keystore.p12> <password>]");
        System.exit(2);
      }
      HttpsServer https = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
      https.setHttpsConfigurator(
          new HttpsConfigurator(sslContext(Path.of(args[1]), args[2].toCharArray())));
      serve(https, workers);
      ready += " httpsPort=" + https.getAddress().getPort();
    }

    System.out.println(ready);
  }

  /** Registers the endpoints on {@code server} and starts it. */
  private static void serve(HttpServer server, ExecutorService workers) {
    server.setExecutor(workers);
    server.createContext("/hello", JdkHttpServerApp::hello);
    server.createContext("/cpu", JdkHttpServerApp::cpu);
    server.createContext(
        "/fail",
        exchange -> {
          drain(exchange);
          throw new IllegalStateException("boom");
        });
    server.createContext("/unavailable", exchange -> respond(exchange, 503, "unavailable"));
    server
        .createContext(
            "/filtered", new OuterHandler(exchange -> respond(exchange, 200, "filtered")))
        .getFilters()
        .addAll(List.of(new PassThroughFilter("first"), new PassThroughFilter("second")));
    server.createContext("/exit", JdkHttpServerApp::exit);
    server.createContext("/", exchange -> respond(exchange, 404, "not found"));
    server.start();
  }

  private static void hello(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("X-Response-Id", "r-123");
    exchange.getResponseHeaders().set("Set-Cookie", "session=cookie-secret-value");
    respond(exchange, 200, "hello");
  }

  /** Spins until the handling thread has used {@code ms} milliseconds of CPU time. */
  private static void cpu(HttpExchange exchange) throws IOException {
    long ms = Math.min(MAX_CPU_MS, Math.max(0, queryLong(exchange, "ms", 0)));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    long target = TimeUnit.MILLISECONDS.toNanos(ms);
    long sink = 0;
    if (start < 0) {
      // CPU time unsupported here: burn wall-clock time instead.
      long end = System.nanoTime() + target;
      while (System.nanoTime() < end) {
        sink += spin();
      }
    } else {
      while (threads.getCurrentThreadCpuTime() - start < target) {
        sink += spin();
      }
    }
    respond(exchange, 200, "burnt " + ms + " ms (" + (sink & 1) + ")");
  }

  private static long spin() {
    long x = 0;
    for (int i = 0; i < 10_000; i++) {
      x += i * 31L ^ x;
    }
    return x;
  }

  private static void exit(HttpExchange exchange) throws IOException {
    respond(exchange, 200, "bye");
    Thread exiter =
        new Thread(
            () -> {
              try {
                Thread.sleep(EXIT_DELAY_MS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              System.exit(0);
            },
            "app-exit");
    exiter.start();
  }

  /** Sends {@code body} as text with {@code status} and ends the exchange. */
  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    try (exchange) {
      drain(exchange);
      byte[] bytes = body.getBytes(UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  /** Reads the request body to its end, so the connection can be reused. */
  private static void drain(HttpExchange exchange) throws IOException {
    try (InputStream body = exchange.getRequestBody()) {
      body.transferTo(OutputStream.nullOutputStream());
    }
  }

  private static long queryLong(HttpExchange exchange, String name, long fallback) {
    String query = exchange.getRequestURI().getRawQuery();
    if (query == null) {
      return fallback;
    }
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0 && pair.substring(0, equals).equals(name)) {
        try {
          return Long.parseLong(pair.substring(equals + 1));
        } catch (NumberFormatException e) {
          return fallback;
        }
      }
    }
    return fallback;
  }

  private static SSLContext sslContext(Path keyStoreFile, char[] password)
      throws IOException, GeneralSecurityException {
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStoreFile)) {
      keyStore.load(in, password);
    }
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }

  private static ThreadFactory namedThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> new Thread(runnable, prefix + "-" + count.incrementAndGet());
  }

  /** A user filter that only passes the exchange on, as logging or auth filters do. */
  private static final class PassThroughFilter extends Filter {

    private final String name;

    PassThroughFilter(String name) {
      this.name = name;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      exchange.setAttribute("filter." + name, Boolean.TRUE);
      chain.doFilter(exchange);
    }

    @Override
    public String description() {
      return "pass-through filter " + name;
    }
  }

  /** A handler that hands the exchange to another handler, as routers and wrappers do. */
  private static final class OuterHandler implements HttpHandler {

    private final HttpHandler inner;

    OuterHandler(HttpHandler inner) {
      this.inner = inner;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
      inner.handle(exchange);
    }
  }
}
