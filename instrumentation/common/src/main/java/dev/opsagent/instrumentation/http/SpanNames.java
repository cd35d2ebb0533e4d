/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

/**
 * Server span names, {@code METHOD route}, one string per method and route, kept in a small table:
 * the same few names serve every request, where concatenating them made a new string for each. A
 * pair that collides with another in the table is concatenated again and replaces it; the table
 * never grows. Entries are immutable and published through their final fields.
 */
final class SpanNames {

  private static final int SIZE = 256;

  private final Entry[] table = new Entry[SIZE];

  /**
   * @return {@code method + " " + route}
   */
  String of(String method, String route) {
    int hash = method.hashCode() * 31 + route.hashCode();
    int index = (hash ^ (hash >>> 16)) & (SIZE - 1);
    Entry entry = table[index];
    if (entry != null && entry.route.equals(route) && entry.method.equals(method)) {
      return entry.name;
    }
    String name = method + " " + route;
    table[index] = new Entry(method, route, name);
    return name;
  }

  private static final class Entry {
    final String method;
    final String route;
    final String name;

    Entry(String method, String route, String name) {
      this.method = method;
      this.route = route;
      this.name = name;
    }
  }
}
