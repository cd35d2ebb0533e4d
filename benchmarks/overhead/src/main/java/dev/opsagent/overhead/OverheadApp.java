/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import com.sun.management.ThreadMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The application every variant runs: a JDK {@code HttpServer} on 127.0.0.1 with a fixed thread
 * pool, and nothing else on its class path that an agent could instrument.
 *
 * <ul>
 *   <li>{@code /hello}: a small fixed body, the cheapest request there is;
 *   <li>{@code /cpu}: burns about 1 ms of the handling thread's CPU time, then the same body;
 *   <li>{@code /fanout?n=N}: hands N tiny tasks to a second fixed pool and waits for them (with
 *       {@code opsagent.executor.spans=true}, one span per task: the sustained-export load).
 * </ul>
 *
 * <p>Standard input is a control channel, out of band so that it makes no request (and no span):
 * the line {@code stats} prints the request counters, the heap in use and every live thread's
 * allocated bytes and CPU time, between {@code @stats} and {@code @end} lines on standard output.
 *
 * <p>Arguments: optionally the size of the request pool (default 4), then the port.
 */
public final class OverheadApp {

  private static final byte[] HELLO =
      "hello from the overhead app\n".getBytes(StandardCharsets.UTF_8);
  private static final long CPU_NANOS = 1_000_000;
  private static final String CONTROL_THREAD = "overhead-control";

  private static final AtomicLong requests = new AtomicLong();
  private static final AtomicLong tasks = new AtomicLong();
  private static final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Keeps the burned values alive so the JIT cannot drop the loop. */
  private static volatile long sink;

  private OverheadApp() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[args.length - 1]);
    int poolSize = args.length > 1 ? Integer.parseInt(args[0]) : 4;
    ExecutorService pool = Executors.newFixedThreadPool(poolSize, named("app-worker-"));
    ExecutorService fanoutPool = Executors.newFixedThreadPool(2, named("app-fanout-"));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    server.createContext("/hello", exchange -> reply(exchange, HELLO));
    server.createContext(
        "/cpu",
        exchange -> {
          burnCpu(CPU_NANOS);
          reply(exchange, HELLO);
        });
    server.createContext(
        "/fanout",
        exchange -> {
          fanout(fanoutPool, taskCount(exchange.getRequestURI().getRawQuery()));
          reply(exchange, HELLO);
        });
    server.setExecutor(pool);
    server.start();
    Thread control = new Thread(OverheadApp::control, CONTROL_THREAD);
    control.setDaemon(true);
    control.start();
  }

  private static void reply(HttpExchange exchange, byte[] body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
    requests.incrementAndGet();
  }

  /** Spins until this thread has used {@code nanos} more CPU time. */
  static void burnCpu(long nanos) {
    long end = threads.getCurrentThreadCpuTime() + nanos;
    long x = System.nanoTime();
    do {
      for (int i = 0; i < 2_000; i++) {
        x = x * 6364136223846793005L + 1442695040888963407L;
      }
    } while (threads.getCurrentThreadCpuTime() < end);
    sink = x;
  }

  private static int taskCount(String query) {
    if (query != null && query.startsWith("n=")) {
      return Math.max(0, Math.min(1000, Integer.parseInt(query.substring(2))));
    }
    return 10;
  }

  private static void fanout(ExecutorService pool, int n) throws IOException {
    List<Future<Long>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long seed = i;
      futures.add(
          pool.submit(
              () -> {
                tasks.incrementAndGet();
                return seed * 31 + 7;
              }));
    }
    long sum = 0;
    try {
      for (Future<Long> future : futures) {
        sum += future.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (ExecutionException e) {
      throw new IOException(e);
    }
    sink = sum;
  }

  private static void control() {
    PrintStream out = System.out;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.trim().equals("stats")) {
          printStats(out);
        }
      }
    } catch (IOException e) {
      // The harness went away: nothing more to answer.
    }
  }

  /**
   * One snapshot: {@code @stats requests=.. tasks=.. heapUsed=.. uptimeMs=..}, then one {@code
   * @thread<TAB>allocated<TAB>cpuNanos<TAB>name} line per live thread but this channel's own.
   */
  private static void printStats(PrintStream out) {
    StringBuilder text = new StringBuilder(8192);
    text.append("@stats requests=")
        .append(requests.get())
        .append(" tasks=")
        .append(tasks.get())
        .append(" heapUsed=")
        .append(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .append(" uptimeMs=")
        .append(ManagementFactory.getRuntimeMXBean().getUptime())
        .append('\n');
    long[] ids = threads.getAllThreadIds();
    long[] allocated = threads.getThreadAllocatedBytes(ids);
    ThreadInfo[] infos = threads.getThreadInfo(ids, 0);
    for (int i = 0; i < ids.length; i++) {
      ThreadInfo info = infos[i];
      if (info == null || allocated[i] < 0 || info.getThreadName().equals(CONTROL_THREAD)) {
        continue;
      }
      text.append("@thread\t")
          .append(allocated[i])
          .append('\t')
          .append(threads.getThreadCpuTime(ids[i]))
          .append('\t')
          .append(info.getThreadName().replace('\t', ' ').replace('\n', ' '))
          .append('\n');
    }
    text.append("@end\n");
    out.print(text);
    out.flush();
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> new Thread(task, prefix + count.incrementAndGet());
  }
}
