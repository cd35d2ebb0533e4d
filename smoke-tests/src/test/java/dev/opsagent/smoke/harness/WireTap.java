/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on a free loopback port in front of a receiver, which keeps every byte that clients
 * send: the proof of what went over the network, whatever the receiver made of it.
 */
public final class WireTap implements AutoCloseable {

  /** The first byte of a TLS record that carries a handshake message, a ClientHello first. */
  private static final int TLS_HANDSHAKE = 22;

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final ServerSocket listener;
  private final int targetPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "wire-tap");
            thread.setDaemon(true);
            return thread;
          });

  /** What each client sent, one entry per connection, in the order they were accepted. */
  private final List<ByteArrayOutputStream> sent = new ArrayList<>();

  private final List<Socket> sockets = new ArrayList<>();

  private WireTap(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** Relays connections to {@code 127.0.0.1:<targetPort>}. */
  public static WireTap start(int targetPort) throws IOException {
    return new WireTap(targetPort);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** How many connections clients opened. */
  public synchronized int connections() {
    return sent.size();
  }

  /**
   * Whether every client that sent anything started with a TLS handshake: nothing went out before
   * TLS was set up (a plain HTTP request starts with its method, an HTTP/2 one with {@code PRI}).
   */
  public synchronized boolean onlyTls() {
    return sent.stream()
        .map(ByteArrayOutputStream::toByteArray)
        .allMatch(bytes -> bytes.length == 0 || bytes[0] == TLS_HANDSHAKE);
  }

  /** Whether the UTF-8 encoding of {@code text} occurs in what any client sent. */
  public synchronized boolean carried(String text) {
    String needle = new String(text.getBytes(UTF_8), ISO_8859_1);
    // ISO-8859-1 maps each byte to one char, so this is a byte-exact search.
    return sent.stream().anyMatch(bytes -> bytes.toString(ISO_8859_1).contains(needle));
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      Socket target;
      ByteArrayOutputStream recorded = new ByteArrayOutputStream();
      try {
        client = listener.accept();
        target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      } catch (IOException closedOrRefused) {
        continue;
      }
      synchronized (this) {
        sent.add(recorded);
        sockets.add(client);
        sockets.add(target);
      }
      threads.execute(() -> relay(client, target, recorded));
      threads.execute(() -> relay(target, client, null));
    }
  }

  /** Copies one direction until it ends, keeping the bytes in {@code recorded} if not null. */
  private void relay(Socket from, Socket to, ByteArrayOutputStream recorded) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        if (recorded != null) {
          synchronized (this) {
            recorded.write(buffer, 0, read);
          }
        }
        out.write(buffer, 0, read);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException closed) {
      // One side went away: the other goes too.
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Closing is all that was asked for.
    }
  }

  /** Stops listening and cuts every relayed connection. */
  @Override
  public void close() {
    closeQuietly(listener);
    synchronized (this) {
      sockets.forEach(WireTap::closeQuietly);
    }
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("wire tap did not stop within " + STOP_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
