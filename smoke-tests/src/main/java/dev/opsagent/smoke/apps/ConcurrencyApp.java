/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * A JDK HTTP server whose handlers hand work to other threads in the ways real services do, so that
 * the smoke tests can check what each request's span says it cost. It knows nothing of the agent.
 * Every amount of CPU is measured with the thread's own CPU clock, so it is what the agent must
 * find.
 *
 * <ul>
 *   <li>{@code /submit?tasks=N&ms=M}: N tasks submitted to a pool, each burning M ms of CPU.
 *   <li>{@code /execute?tasks=N&ms=M}: the same with {@code execute(Runnable)}.
 *   <li>{@code /parallel?tasks=N&ms=M}: a parallel stream of N elements, each burning M ms.
 *   <li>{@code /async?tasks=N&ms=M}: N {@code CompletableFuture.supplyAsync} on the default
 *       executor, each burning M ms.
 *   <li>{@code /forkjoin?tasks=N&ms=M}: a {@code RecursiveAction} on a pool of its own that forks N
 *       leaves, each burning M ms.
 *   <li>{@code /thread?ms=M}: a new platform thread burning M ms.
 *   <li>{@code /virtual?ms=M}: a new virtual thread ({@code Thread.ofVirtual()}) spinning M ms (JDK
 *       21+, else 501).
 *   <li>{@code /virtual-executor?tasks=N&ms=M}: N tasks submitted to {@code
 *       Executors.newVirtualThreadPerTaskExecutor()}, each spinning M ms (JDK 21+, else 501).
 *   <li>{@code /scheduled?ms=M}: a task scheduled at a fixed rate, burning M ms per run; the
 *       handler answers after its second run, and it runs 8 times more after that.
 *   <li>{@code /alloc?mb=N}: a pool task allocating N MB.
 *   <li>{@code /blocked?ms=M}: the handler blocks M ms on a monitor another thread holds.
 *   <li>{@code /gc}: the handler runs {@code System.gc()}.
 *   <li>{@code /late?ms=M}: hands off M ms of CPU and answers at once; the work ends later.
 *   <li>{@code /leak?ms=M}: a task on a one-thread pool; after the answer, a task unrelated to any
 *       request runs on that same pool thread and hands off 200 ms of CPU of its own.
 * </ul>
 */
public final class ConcurrencyApp {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final ExecutorService POOL = Executors.newFixedThreadPool(4, new WorkerFactory());
  private static final ScheduledExecutorService SCHEDULER = Executors.newScheduledThreadPool(1);
  private static final ExecutorService SINGLE = Executors.newSingleThreadExecutor();
  private static final ExecutorService OTHER = Executors.newFixedThreadPool(1);
  private static final ForkJoinPool FORK_JOIN = new ForkJoinPool(4);
  private static final BlockingQueue<Runnable> UNRELATED = new LinkedBlockingQueue<>();
  private static final Object LOCK = new Object();
  private static volatile Object sink;
  private static long workPerMilli;

  private ConcurrencyApp() {}

  /** The application's own thread factory, which the thread-start metric names as creator. */
  static final class WorkerFactory implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      return new Thread(task, "worker-" + count.incrementAndGet());
    }
  }

  public static void main(String[] args) throws Exception {
    workPerMilli = measureWorkPerMilli();
    // Started before any request: it hands the pools work that belongs to no request.
    Thread background =
        new Thread(
            () -> {
              try {
                while (true) {
                  SINGLE.submit(UNRELATED.take());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "unrelated-work");
    background.setDaemon(true);
    background.start();

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/submit", ConcurrencyApp::submit);
    server.createContext("/execute", ConcurrencyApp::execute);
    server.createContext("/parallel", ConcurrencyApp::parallel);
    server.createContext("/async", ConcurrencyApp::async);
    server.createContext("/forkjoin", ConcurrencyApp::forkJoin);
    server.createContext("/thread", ConcurrencyApp::thread);
    server.createContext("/virtual", ConcurrencyApp::virtual);
    server.createContext("/virtual-executor", ConcurrencyApp::virtualExecutor);
    server.createContext("/scheduled", ConcurrencyApp::scheduled);
    server.createContext("/alloc", ConcurrencyApp::alloc);
    server.createContext("/blocked", ConcurrencyApp::blocked);
    server.createContext(
        "/gc",
        exchange -> {
          System.gc();
          respond(exchange, "collected");
        });
    server.createContext("/late", ConcurrencyApp::late);
    server.createContext("/leak", ConcurrencyApp::leak);
    server.start();
    System.out.println("READY port=" + server.getAddress().getPort());
  }

  private static void submit(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      futures.add(POOL.submit(() -> burn(millis)));
    }
    for (Future<?> future : futures) {
      join(future);
    }
    respond(exchange, tasks + " tasks done");
  }

  private static void execute(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    CountDownLatch done = new CountDownLatch(tasks);
    for (int i = 0; i < tasks; i++) {
      POOL.execute(
          () -> {
            burn(millis);
            done.countDown();
          });
    }
    await(done);
    respond(exchange, tasks + " tasks done");
  }

  private static void parallel(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    IntStream.range(0, tasks).parallel().forEach(i -> burn(millis));
    respond(exchange, tasks + " elements done");
  }

  private static void async(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      futures.add(CompletableFuture.supplyAsync(() -> burn(millis)));
    }
    futures.forEach(CompletableFuture::join);
    respond(exchange, tasks + " futures done");
  }

  private static void forkJoin(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    FORK_JOIN.invoke(
        new RecursiveAction() {
          @Override
          protected void compute() {
            List<RecursiveAction> leaves = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
              leaves.add(
                  new RecursiveAction() {
                    @Override
                    protected void compute() {
                      burn(millis);
                    }
                  });
            }
            invokeAll(leaves);
          }
        });
    respond(exchange, tasks + " leaves done");
  }

  private static void thread(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 50);
    Thread worker = new Thread(() -> burn(millis), "request-worker");
    worker.start();
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    respond(exchange, "thread done");
  }

  private static void virtual(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 50);
    Thread worker;
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      worker =
          (Thread)
              Class.forName("java.lang.Thread$Builder")
                  .getMethod("start", Runnable.class)
                  .invoke(builder, (Runnable) () -> spin(millis));
    } catch (ReflectiveOperationException beforeJdk21) {
      respond(exchange, 501, "no virtual threads on this JDK");
      return;
    }
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    respond(exchange, "virtual thread done");
  }

  private static void virtualExecutor(HttpExchange exchange) throws IOException {
    int tasks = param(exchange, "tasks", 4);
    long millis = param(exchange, "ms", 20);
    ExecutorService executor;
    try {
      executor =
          (ExecutorService)
              Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException beforeJdk21) {
      respond(exchange, 501, "no virtual threads on this JDK");
      return;
    }
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        futures.add(executor.submit(() -> spin(millis)));
      }
      futures.forEach(ConcurrencyApp::join);
    } finally {
      executor.shutdown();
    }
    respond(exchange, tasks + " virtual threads done");
  }

  private static void scheduled(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 10);
    CountDownLatch twoRuns = new CountDownLatch(2);
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<ScheduledFuture<?>> periodic = new AtomicReference<>();
    periodic.set(
        SCHEDULER.scheduleAtFixedRate(
            () -> {
              burn(millis);
              twoRuns.countDown();
              if (runs.incrementAndGet() == 10) {
                while (periodic.get() == null) {
                  Thread.onSpinWait();
                }
                periodic.get().cancel(false);
              }
            },
            0,
            millis * 3,
            TimeUnit.MILLISECONDS));
    await(twoRuns);
    respond(exchange, "ran twice");
  }

  private static void alloc(HttpExchange exchange) throws IOException {
    int megabytes = param(exchange, "mb", 10);
    join(
        POOL.submit(
            () -> {
              List<byte[]> chunks = new ArrayList<>();
              for (int i = 0; i < megabytes; i++) {
                chunks.add(new byte[1024 * 1024]);
              }
              sink = chunks;
            }));
    respond(exchange, "allocated " + megabytes + " MB");
  }

  private static void blocked(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 100);
    CountDownLatch held = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              synchronized (LOCK) {
                held.countDown();
                sleep(millis);
              }
            },
            "lock-holder");
    holder.start();
    await(held);
    synchronized (LOCK) {
      sink = exchange;
    }
    respond(exchange, "got the lock");
  }

  private static void late(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 100);
    POOL.execute(() -> burn(millis));
    respond(exchange, "handed off");
  }

  private static void leak(HttpExchange exchange) throws IOException {
    long millis = param(exchange, "ms", 20);
    join(SINGLE.submit(() -> burn(millis)));
    respond(exchange, "done");
    UNRELATED.add(() -> join(OTHER.submit(() -> burn(200))));
  }

  /** Burns {@code millis} of the calling thread's CPU time; returns how often it read the clock. */
  private static long burn(long millis) {
    long end = THREADS.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    long spins = 0;
    while (THREADS.getCurrentThreadCpuTime() < end) {
      spins++;
    }
    sink = spins;
    return spins;
  }

  /**
   * Does what takes {@code millis} of CPU time on this machine: a virtual thread has no CPU clock
   * of its own, so it cannot {@link #burn}; the amount of work per millisecond is measured at
   * start.
   */
  private static void spin(long millis) {
    work(workPerMilli * millis);
  }

  /** Measures how much {@link #work} one millisecond of CPU time does, once the JIT compiled it. */
  private static long measureWorkPerMilli() {
    long chunk = 100_000;
    long warmUntil = THREADS.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(200);
    while (THREADS.getCurrentThreadCpuTime() < warmUntil) {
      work(chunk);
    }
    long start = THREADS.getCurrentThreadCpuTime();
    long done = 0;
    while (THREADS.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(100)) {
      work(chunk);
      done += chunk;
    }
    long spent = THREADS.getCurrentThreadCpuTime() - start;
    return done * TimeUnit.MILLISECONDS.toNanos(1) / spent;
  }

  private static void work(long iterations) {
    long value = 0;
    for (long i = 0; i < iterations; i++) {
      value += i ^ (value >>> 3);
    }
    sink = value;
  }

  private static void join(Future<?> future) {
    try {
      future.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int param(HttpExchange exchange, String name, int defaultValue) {
    String query = exchange.getRequestURI().getQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.startsWith(name + "=")) {
          return Integer.parseInt(pair.substring(name.length() + 1));
        }
      }
    }
    return defaultValue;
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    respond(exchange, 200, body);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
