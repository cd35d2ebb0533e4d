/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServletRoutesTest {

  @ParameterizedTest(name = "{2} {1} under ''{0}'' -> {3}")
  @CsvSource({
    "'', /hello, EXACT, /hello",
    "/shop, /hello, EXACT, /shop/hello",
    "'', /users/*, PATH, /users/*",
    "/shop, /users/*, PATH, /shop/users/*",
    "'', *.do, EXTENSION, /*.do",
    "/shop, *.do, EXTENSION, /shop/*.do",
    "'', /, DEFAULT, /*",
    "/shop, /, DEFAULT, /shop/*",
    "'', '', CONTEXT_ROOT, /",
    "/shop, '', CONTEXT_ROOT, /shop",
  })
  void fromAServlet4Mapping(String contextPath, String pattern, String match, String route) {
    assertThat(ServletRoutes.fromMapping(contextPath, pattern, match)).isEqualTo(route);
  }

  @ParameterizedTest(name = "''{0}'' ''{1}'' ''{2}'' -> {3}")
  @CsvSource(
      value = {
        "'', /users, /42, /users/*",
        "/shop, /users, /42, /shop/users/*",
        "'', /hello, NULL, NULL",
        "'', /orders/42, NULL, NULL",
      },
      nullValues = "NULL")
  void beforeServlet4OnlyAPathMappingIsKnown(
      String contextPath, String servletPath, String pathInfo, String route) {
    assertThat(ServletRoutes.fromPaths(contextPath, servletPath, pathInfo)).isEqualTo(route);
  }
}
