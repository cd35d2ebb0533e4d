/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

/**
 * {@code server.address} and {@code server.port} as a request's {@code Host} header gives them, one
 * pair per header value, kept in a small table: a server is called by the same few names, where
 * cutting the host out of the header made a new string for each request and the port a new {@code
 * Long}. A value that collides with another in the table is read again and replaces it; values
 * longer than {@link #MAX_CACHED_LENGTH} are read every time; the table never grows. Entries are
 * immutable and published through their final fields.
 */
final class HostHeaders {

  private static final int SIZE = 64;

  /** Longer Host values are not kept: the table holds at most 64 short strings. */
  static final int MAX_CACHED_LENGTH = 128;

  private final HttpCapture capture;
  private final Entry[] table = new Entry[SIZE];

  HostHeaders(HttpCapture capture) {
    this.capture = capture;
  }

  /**
   * @param host a {@code Host} header's value, not empty
   */
  Entry of(String host) {
    if (host.length() > MAX_CACHED_LENGTH) {
      return read(host);
    }
    int hash = host.hashCode();
    int index = (hash ^ (hash >>> 16)) & (SIZE - 1);
    Entry entry = table[index];
    if (entry != null && entry.header.equals(host)) {
      return entry;
    }
    entry = read(host);
    table[index] = entry;
    return entry;
  }

  private Entry read(String host) {
    int port = Addresses.portOf(host);
    return new Entry(host, capture.truncate(Addresses.hostOf(host)), port > 0 ? (long) port : null);
  }

  /** One {@code Host} value read. */
  static final class Entry {
    final String header;

    /** {@code server.address}: the host, cut to the configured length for header values. */
    final String address;

    /** {@code server.port}, or {@code null} where the header names none. */
    final Long port;

    Entry(String header, String address, Long port) {
      this.header = header;
      this.address = address;
      this.port = port;
    }
  }
}
