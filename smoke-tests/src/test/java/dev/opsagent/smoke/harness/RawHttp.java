/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One HTTP/1.1 request written byte by byte on its own connection, to a server on the loopback
 * interface: what a normal client refuses to send (bytes that are not UTF-8, a thousand headers,
 * huge values, a request line of any length, a made-up method or version). The request line is
 * followed by {@code Host: 127.0.0.1} and {@code Connection: close}, then the headers added.
 */
public final class RawHttp {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final byte[] CRLF = {'\r', '\n'};

  private String method = "GET";
  private final byte[] target;
  private String version = "HTTP/1.1";
  private final ByteArrayOutputStream headers = new ByteArrayOutputStream();

  private RawHttp(byte[] target) {
    this.target = target;
  }

  /** A request for {@code target}, the request line's second word, as it is. */
  public static RawHttp request(byte[] target) {
    return new RawHttp(target);
  }

  /** A request for {@code target}, written as ISO-8859-1: one byte per character. */
  public static RawHttp request(String target) {
    return new RawHttp(target.getBytes(ISO_8859_1));
  }

  public RawHttp method(String method) {
    this.method = method;
    return this;
  }

  public RawHttp version(String version) {
    this.version = version;
    return this;
  }

  /** Adds a header line; the value's bytes as they are. */
  public RawHttp header(String name, byte[] value) {
    headers.writeBytes(name.getBytes(ISO_8859_1));
    headers.writeBytes(": ".getBytes(ISO_8859_1));
    headers.writeBytes(value);
    headers.writeBytes(CRLF);
    return this;
  }

  /** Adds a header line, the value written as ISO-8859-1. */
  public RawHttp header(String name, String value) {
    return header(name, value.getBytes(ISO_8859_1));
  }

  /**
   * Sends the request and reads the status line of the answer.
   *
   * @return the status code, or -1 when the server closed or reset the connection without one (as
   *     the JDK's server does with a request of too many headers)
   */
  public int send(int port) throws IOException {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes((method + " ").getBytes(ISO_8859_1));
    request.writeBytes(target);
    request.writeBytes((" " + version).getBytes(ISO_8859_1));
    request.writeBytes(CRLF);
    request.writeBytes("Host: 127.0.0.1".getBytes(ISO_8859_1));
    request.writeBytes(CRLF);
    request.writeBytes("Connection: close".getBytes(ISO_8859_1));
    request.writeBytes(CRLF);
    headers.writeTo(request);
    request.writeBytes(CRLF);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      try {
        OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();
      } catch (IOException e) {
        // The server may answer and close before it has read everything (431, 414): read on.
      }
      return status(socket.getInputStream());
    }
  }

  /** The status code of the status line {@code HTTP/1.1 NNN ...}, -1 if there is none. */
  private static int status(InputStream in) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try {
      for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
        line.write(b);
      }
    } catch (IOException e) {
      // Reset: what was read so far decides.
    }
    String[] words = line.toString(ISO_8859_1).split(" ");
    if (words.length < 2 || !words[0].startsWith("HTTP/")) {
      return -1;
    }
    try {
      return Integer.parseInt(words[1].trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
