/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

/** {@code http.route} from a servlet mapping. */
final class ServletRoutes {

  private static final int SIZE = 256;

  /**
   * The routes of the mappings seen, in a small table: a web application has a few servlet
   * mappings, where building the route made a new string for every request. A mapping that collides
   * with another in the table is built again and replaces it; the table never grows. Entries are
   * immutable and published through their final fields.
   */
  private static final Entry[] ROUTES = new Entry[SIZE];

  private ServletRoutes() {}

  /** {@link #fromMapping}, the same string for the same mapping every time. */
  static String ofMapping(String contextPath, String pattern, String match) {
    int hash = (contextPath.hashCode() * 31 + pattern.hashCode()) * 31 + match.hashCode();
    int index = (hash ^ (hash >>> 16)) & (SIZE - 1);
    Entry entry = ROUTES[index];
    if (entry != null
        && entry.pattern.equals(pattern)
        && entry.contextPath.equals(contextPath)
        && entry.match.equals(match)) {
      return entry.route;
    }
    String route = fromMapping(contextPath, pattern, match);
    ROUTES[index] = new Entry(contextPath, pattern, match, route);
    return route;
  }

  private static final class Entry {
    final String contextPath;
    final String pattern;
    final String match;
    final String route;

    Entry(String contextPath, String pattern, String match, String route) {
      this.contextPath = contextPath;
      this.pattern = pattern;
      this.match = match;
      this.route = route;
    }
  }

  /**
   * From a Servlet 4.0+ mapping.
   *
   * @param pattern the mapping's pattern: {@code /hello}, {@code /users/*}, {@code *.do}, {@code /}
   *     or the empty string
   * @param match {@code EXACT}, {@code PATH}, {@code EXTENSION}, {@code DEFAULT} or {@code
   *     CONTEXT_ROOT}
   */
  static String fromMapping(String contextPath, String pattern, String match) {
    switch (match) {
      case "CONTEXT_ROOT":
        return contextPath.isEmpty() ? "/" : contextPath;
      case "DEFAULT":
        return contextPath + "/*";
      case "EXTENSION":
        return contextPath + "/" + pattern;
      default:
        return contextPath + pattern;
    }
  }

  /**
   * Before Servlet 4.0: a servlet path with path info was matched by a path mapping. Without path
   * info, the mapping may have been exact, an extension or the default servlet, whose servlet path
   * is the whole path: no route, rather than one per URL.
   */
  static String fromPaths(String contextPath, String servletPath, String pathInfo) {
    return pathInfo == null ? null : contextPath + servletPath + "/*";
  }
}
