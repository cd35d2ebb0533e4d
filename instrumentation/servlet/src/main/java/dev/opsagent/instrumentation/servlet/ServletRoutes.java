/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

/** {@code http.route} from a servlet mapping. */
final class ServletRoutes {

  private ServletRoutes() {}

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
