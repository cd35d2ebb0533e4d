/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed-rate HTTP load (what wrk2 does, which Debian does not package): {@code connections}
 * keep-alive connections take turns to send requests at evenly spaced times, each request's latency
 * counted from the time it was due, not from when it was sent (so a server that falls behind shows
 * it in the latency, not as a lower rate alone).
 */
final class RateLoad {

  /** What a fixed-rate run achieved. */
  record Result(
      double targetPerSecond,
      long requests,
      long errors,
      double seconds,
      double requestsPerSecond,
      double p50Millis,
      double p99Millis,
      double maxMillis) {}

  private RateLoad() {}

  static Result run(int port, String path, double rate, int connections, int seconds)
      throws InterruptedException {
    long intervalNanos = (long) (1e9 / rate);
    long start = System.nanoTime() + 50_000_000;
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    int perConnection = (int) Math.ceil(rate * seconds / connections) + 1;
    long[][] latencies = new long[connections][];
    int[] counts = new int[connections];
    AtomicLong errors = new AtomicLong();
    Thread[] threads = new Thread[connections];
    for (int c = 0; c < connections; c++) {
      int connection = c;
      latencies[c] = new long[perConnection];
      threads[c] =
          new Thread(
              () -> {
                byte[] request =
                    ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                Connection open = null;
                for (long k = 0; ; k++) {
                  long due = start + (k * connections + connection) * intervalNanos;
                  if (due >= end || counts[connection] >= perConnection) {
                    break;
                  }
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    LockSupport.parkNanos(wait);
                  }
                  try {
                    if (open == null) {
                      open = new Connection(port);
                    }
                    open.exchange(request);
                    latencies[connection][counts[connection]++] = System.nanoTime() - due;
                  } catch (IOException e) {
                    errors.incrementAndGet();
                    if (open != null) {
                      open.close();
                    }
                    open = null;
                  }
                }
                if (open != null) {
                  open.close();
                }
              },
              "rate-load-" + c);
      threads[c].setDaemon(true);
      threads[c].start();
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(seconds + 30L));
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < connections; c++) {
      System.arraycopy(latencies[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    return new Result(
        rate,
        total,
        errors.get(),
        elapsed,
        total / elapsed,
        percentile(all, 0.50),
        percentile(all, 0.99),
        total == 0 ? Double.NaN : all[total - 1] / 1e6);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  /** One keep-alive connection, its input buffered. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      socket.setSoTimeout(30_000);
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      out = socket.getOutputStream();
    }

    /** Sends one request and reads the whole response (status, headers, Content-Length body). */
    void exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = readLine(in);
      if (status == null || !status.startsWith("HTTP/1.1 200")) {
        throw new IOException("unexpected response: " + status);
      }
      long length = -1;
      String header;
      while ((header = readLine(in)) != null && !header.isEmpty()) {
        if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Long.parseLong(header.substring(15).trim());
        }
      }
      if (header == null || length < 0) {
        throw new IOException("no Content-Length in the response");
      }
      for (long read = 0; read < length; read++) {
        if (in.read() < 0) {
          throw new IOException("response body cut short");
        }
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder(64);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        int length = line.length();
        return length > 0 && line.charAt(length - 1) == '\r'
            ? line.substring(0, length - 1)
            : line.toString();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }
}
