/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A loopback TCP endpoint where an OTLP receiver should be, which is not one: it accepts
 * connections and then never answers ({@link Behaviour#SILENT}, a hung collector), or answers bytes
 * that are neither HTTP nor HTTP/2 ({@link Behaviour#GARBAGE}). Real sockets: the agent's exporter
 * fails against them exactly as it would in production. Closing it closes every connection.
 */
public final class BrokenCollector implements AutoCloseable {

  /** What a connection gets. */
  public enum Behaviour {
    /** Nothing: the request is never read, no answer ever comes. */
    SILENT,
    /** Garbage bytes at once, then whatever comes is read and thrown away. */
    GARBAGE
  }

  /** Fixed, so a failure reproduces; no HTTP status line, no HTTP/2 SETTINGS frame. */
  private static final byte[] GARBAGE = garbage();

  private static final long JOIN_MILLIS = 5_000;

  private final Behaviour behaviour;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> connections = new ArrayList<>();
  private final List<Thread> answerers = new ArrayList<>();

  private BrokenCollector(Behaviour behaviour, int port) throws IOException {
    this.behaviour = behaviour;
    this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "broken-collector-" + behaviour);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Listens on {@code port} of the loopback interface (0: a free one), for connections that get
   * what {@code behaviour} says.
   */
  public static BrokenCollector start(Behaviour behaviour, int port) throws IOException {
    return new BrokenCollector(behaviour, port);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** How many connections it accepted. */
  public synchronized int connections() {
    return connections.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket connection;
      try {
        connection = server.accept();
      } catch (IOException closed) {
        return;
      }
      synchronized (this) {
        connections.add(connection);
        if (behaviour == Behaviour.GARBAGE) {
          Thread answerer = new Thread(() -> answerGarbage(connection), "broken-collector-answer");
          answerer.setDaemon(true);
          answerers.add(answerer);
          answerer.start();
        }
      }
    }
  }

  private static void answerGarbage(Socket connection) {
    try (connection;
        OutputStream out = connection.getOutputStream();
        InputStream in = connection.getInputStream()) {
      out.write(GARBAGE);
      out.flush();
      // Read on, so that closing sends no reset that would hide the garbage from the client.
      in.transferTo(OutputStream.nullOutputStream());
    } catch (SocketException closed) {
      // The client gave up, or this collector closed.
    } catch (IOException e) {
      // Nothing to answer any more.
    }
  }

  private static byte[] garbage() {
    byte[] bytes = new byte[512];
    new Random(7).nextBytes(bytes);
    // Not 'H' (HTTP/1.1) and not an empty SETTINGS frame's header (HTTP/2).
    bytes[0] = (byte) 0xfe;
    return bytes;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    acceptor.join(JOIN_MILLIS);
    List<Thread> toJoin;
    synchronized (this) {
      for (Socket connection : connections) {
        connection.close();
      }
      toJoin = new ArrayList<>(answerers);
    }
    for (Thread answerer : toJoin) {
      answerer.join(JOIN_MILLIS);
    }
  }
}
