/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

/**
 * Reads addresses out of request headers the way the HTTP semantic conventions ask: the client from
 * {@code Forwarded} or {@code X-Forwarded-For} (the first, original, client), the server from the
 * {@code Host} header.
 */
final class Addresses {

  private Addresses() {}

  /**
   * @return the original client from a {@code Forwarded} header ({@code for=} of its first
   *     element), or {@code null}
   */
  static String clientFromForwarded(String forwarded) {
    if (forwarded == null) {
      return null;
    }
    int firstElementEnd = forwarded.indexOf(',');
    String element = firstElementEnd < 0 ? forwarded : forwarded.substring(0, firstElementEnd);
    for (String pair : element.split(";")) {
      String trimmed = pair.trim();
      if (trimmed.regionMatches(true, 0, "for=", 0, 4)) {
        String value = unquote(trimmed.substring(4).trim());
        return value.isEmpty() ? null : hostOf(value);
      }
    }
    return null;
  }

  /**
   * @return the first address of an {@code X-Forwarded-For} header, or {@code null}
   */
  static String clientFromXForwardedFor(String xForwardedFor) {
    if (xForwardedFor == null) {
      return null;
    }
    int comma = xForwardedFor.indexOf(',');
    String first = (comma < 0 ? xForwardedFor : xForwardedFor.substring(0, comma)).trim();
    return first.isEmpty() ? null : hostOf(first);
  }

  /**
   * @return the host of {@code host[:port]} or {@code [ipv6][:port]}, without brackets
   */
  static String hostOf(String hostAndPort) {
    if (hostAndPort.startsWith("[")) {
      int close = hostAndPort.indexOf(']');
      return close < 0 ? hostAndPort.substring(1) : hostAndPort.substring(1, close);
    }
    int colon = hostAndPort.indexOf(':');
    // More than one colon and no brackets: a bare IPv6 address, no port.
    if (colon < 0 || hostAndPort.indexOf(':', colon + 1) >= 0) {
      return hostAndPort;
    }
    return hostAndPort.substring(0, colon);
  }

  /**
   * @return the port of {@code host:port} or {@code [ipv6]:port}, or -1 when none is given
   */
  static int portOf(String hostAndPort) {
    int colon;
    if (hostAndPort.startsWith("[")) {
      int close = hostAndPort.indexOf(']');
      colon = close < 0 ? -1 : hostAndPort.indexOf(':', close);
    } else {
      colon = hostAndPort.indexOf(':');
      if (colon >= 0 && hostAndPort.indexOf(':', colon + 1) >= 0) {
        return -1;
      }
    }
    if (colon < 0) {
      return -1;
    }
    // Read in place as Integer.parseInt reads it (an optional '+', decimal digits): no substring
    // per
    // request.
    int length = hostAndPort.length();
    int i = colon + 1;
    if (i < length && hostAndPort.charAt(i) == '+') {
      i++;
    }
    if (i == length) {
      return -1;
    }
    int port = 0;
    for (; i < length; i++) {
      int digit = Character.digit(hostAndPort.charAt(i), 10);
      if (digit < 0) {
        return -1;
      }
      port = port * 10 + digit;
      if (port > 65535) {
        return -1;
      }
    }
    return port > 0 && port <= 65535 ? port : -1;
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}
