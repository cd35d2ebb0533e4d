/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One run of {@link OverheadApp} in its own JVM: launched with a client already polling {@code
 * /hello}, so the time to the first {@code 200} is measured from the launch; its standard error
 * timestamped line by line (to see when an agent says it started) and kept in a file; its standard
 * input and output the control channel for {@link #stats()}.
 */
final class AppProcess implements AutoCloseable {

  /** One {@code stats} answer: the app's counters and every live thread's totals. */
  record Stats(
      long requests,
      long tasks,
      long heapUsed,
      long uptimeMs,
      Map<String, Long> allocatedByThread,
      Map<String, Long> cpuNanosByThread) {}

  private static final long POLL_INTERVAL_MS = 5;

  private final Process process;
  private final int port;
  private final long launchNanos;
  private final PrintWriter control;
  private final BlockingQueue<String> statsLines = new LinkedBlockingQueue<>();
  private final CountDownLatch firstResponse = new CountDownLatch(1);
  private final Predicate<String> startLine;
  private final List<String> stderr = new ArrayList<>();
  private volatile long firstResponseNanos = -1;
  private volatile long startLineNanos = -1;

  private AppProcess(List<String> command, Path log, Predicate<String> startLine)
      throws IOException {
    this.startLine = startLine;
    this.port = freePort();
    List<String> full = new ArrayList<>(command);
    full.add(Integer.toString(port));
    Thread poller = new Thread(this::poll, "overhead-startup-poller");
    poller.setDaemon(true);
    poller.start();
    launchNanos = System.nanoTime();
    process = new ProcessBuilder(full).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    Processes.track(process);
    control =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
    daemon("overhead-app-stdout", () -> readStdout(process.getInputStream()));
    daemon("overhead-app-stderr", () -> readStderr(process.getErrorStream(), log));
  }

  /**
   * Launches {@code command} (the port is appended) and waits for its first {@code 200}.
   *
   * @param startLine recognizes the agent's start-up line on standard error, if there is one
   */
  static AppProcess launch(List<String> command, Path log, Predicate<String> startLine)
      throws IOException, InterruptedException {
    AppProcess app = new AppProcess(command, log, startLine);
    if (!app.firstResponse.await(120, TimeUnit.SECONDS)) {
      app.close();
      throw new IOException("the app served no 200 within 120 s; see " + log);
    }
    return app;
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  /** Milliseconds from launch to the first {@code 200}. */
  double startupMillis() {
    return (firstResponseNanos - launchNanos) / 1e6;
  }

  /** Milliseconds from launch to the agent's start-up line, NaN if none was seen (yet). */
  double startLineMillis() {
    long at = startLineNanos;
    return at < 0 ? Double.NaN : (at - launchNanos) / 1e6;
  }

  /** Standard error so far. */
  List<String> stderr() {
    synchronized (stderr) {
      return List.copyOf(stderr);
    }
  }

  /** Asks the app for its counters and threads, out of band (no request, no span). */
  Stats stats() throws IOException, InterruptedException {
    statsLines.clear();
    control.println("stats");
    long requests = 0;
    long tasks = 0;
    long heap = 0;
    long uptime = 0;
    Map<String, Long> allocated = new HashMap<>();
    Map<String, Long> cpu = new HashMap<>();
    while (true) {
      String line = statsLines.poll(30, TimeUnit.SECONDS);
      if (line == null) {
        throw new IOException("the app did not answer 'stats'");
      }
      if (line.equals("@end")) {
        return new Stats(requests, tasks, heap, uptime, allocated, cpu);
      }
      if (line.startsWith("@stats ")) {
        for (String pair : line.substring(7).split(" ")) {
          String[] keyValue = pair.split("=", 2);
          long value = Long.parseLong(keyValue[1]);
          switch (keyValue[0]) {
            case "requests" -> requests = value;
            case "tasks" -> tasks = value;
            case "heapUsed" -> heap = value;
            case "uptimeMs" -> uptime = value;
            default -> {}
          }
        }
      } else if (line.startsWith("@thread\t")) {
        String[] fields = line.split("\t", 4);
        allocated.merge(fields[3], Long.parseLong(fields[1]), Long::sum);
        cpu.merge(fields[3], Math.max(0, Long.parseLong(fields[2])), Long::sum);
      }
    }
  }

  /**
   * Ends the JVM as an orchestrator would (SIGTERM: shutdown hooks run, agents flush), waits for
   * it, and kills it if it takes longer than 60 s.
   *
   * @return whether it ended by itself
   */
  boolean stop() throws InterruptedException {
    process.destroy();
    if (process.waitFor(60, TimeUnit.SECONDS)) {
      return true;
    }
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    return false;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    firstResponse.countDown();
  }

  private void poll() {
    byte[] request =
        ("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    while (firstResponse.getCount() > 0) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        socket.setSoTimeout(120_000);
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        String status =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (status != null && status.startsWith("HTTP/1.1 200")) {
          firstResponseNanos = System.nanoTime();
          firstResponse.countDown();
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      try {
        Thread.sleep(POLL_INTERVAL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void readStdout(InputStream in) {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("@")) {
          statsLines.add(line);
        }
      }
    } catch (IOException e) {
      // The app ended.
    }
  }

  private void readStderr(InputStream in, Path log) {
    try (BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        long now = System.nanoTime();
        if (startLineNanos < 0 && startLine.test(line)) {
          startLineNanos = now;
        }
        synchronized (stderr) {
          stderr.add(line);
        }
        out.printf("%9.1f ms  %s%n", (now - launchNanos) / 1e6, line);
        out.flush();
      }
    } catch (IOException e) {
      // The app ended.
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** A port free on 127.0.0.1 now (the app binds it a moment later). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
