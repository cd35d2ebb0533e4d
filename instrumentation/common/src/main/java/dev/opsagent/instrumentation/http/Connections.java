/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The network attributes as the semantic conventions write them, from what servers give: the IP and
 * port of a socket's end, the HTTP version of a protocol name.
 */
public final class Connections {

  private Connections() {}

  /**
   * @return the IP address of a socket's end, without brackets ({@code ::1}); the host name if it
   *     was not resolved; {@code null} for an end that is no internet socket
   */
  public static String ip(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return null;
    }
    InetSocketAddress socket = (InetSocketAddress) address;
    InetAddress ip = socket.getAddress();
    if (ip == null) {
      return socket.getHostString();
    }
    return ip instanceof Inet4Address ? Ipv4Texts.of(ip) : ip.getHostAddress();
  }

  /**
   * @return the port of a socket's end; -1 for an end that is no internet socket
   */
  public static int port(SocketAddress address) {
    return address instanceof InetSocketAddress ? ((InetSocketAddress) address).getPort() : -1;
  }

  /**
   * {@code HTTP/1.1} is {@code 1.1}; {@code HTTP/2.0} is {@code 2}. Anything but {@code HTTP/}
   * followed by a digit, a dot and a digit, or one digit, is no version: {@code null}. The JDK's
   * server takes any word from the request line for the protocol, and the version is an attribute
   * of the duration metric, whose series must not grow with what clients invent.
   */
  public static String httpVersion(String protocol) {
    if (protocol == null) {
      return null;
    }
    // The usual ones without a new string per request.
    switch (protocol) {
      case "HTTP/1.1":
        return "1.1";
      case "HTTP/1.0":
        return "1.0";
      case "HTTP/2.0":
        return "2";
      default:
        break;
    }
    if (!isVersion(protocol)) {
      return null;
    }
    String version = protocol.substring(5);
    return version.endsWith(".0") && !version.startsWith("1.")
        ? version.substring(0, version.length() - 2)
        : version;
  }

  /** {@code HTTP/d.d} or {@code HTTP/d}. */
  private static boolean isVersion(String protocol) {
    int length = protocol.length();
    return protocol.startsWith("HTTP/")
        && (length == 6 || (length == 8 && protocol.charAt(6) == '.' && isDigit(protocol, 7)))
        && isDigit(protocol, 5);
  }

  private static boolean isDigit(String text, int index) {
    char c = text.charAt(index);
    return c >= '0' && c <= '9';
  }
}
