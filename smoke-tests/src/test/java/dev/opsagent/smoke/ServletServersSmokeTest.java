/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.Server;
import dev.opsagent.smoke.harness.StandaloneTomcat;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server applications of {@code smoke-tests/servers}, run without the agent: every endpoint
 * answers as specified on every server, which is what the agent must leave unchanged.
 */
class ServletServersSmokeTest {

  /** The oldest and newest lines of Tomcat and Jetty also run on JDK 25, when installed. */
  private static final List<Server> ON_JDK25 =
      List.of(Server.TOMCAT9, Server.TOMCAT11, Server.JETTY9, Server.JETTY12);

  static List<Arguments> servletContainers() {
    List<Arguments> cases = new ArrayList<>();
    Server.servletContainers().forEach(server -> cases.add(Arguments.of(server, Jdks.current())));
    Jdks.jdk25()
        .filter(jdk -> !jdk.equals(Jdks.current()))
        .ifPresent(jdk25 -> ON_JDK25.forEach(server -> cases.add(Arguments.of(server, jdk25))));
    return cases;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("servletContainers")
  void servesTheSampleServlets(Server server, Jdk jdk) throws Exception {
    try (AppJvm app = AppJvm.builder(jdk, server).withoutAgent().start()) {
      SoftAssertions softly = new SoftAssertions();
      expectSampleServlets(softly, app.port(), "");
      if (server.coreHandler()) {
        HttpResponse<String> core = Http.get(app.port(), "/core");
        softly.assertThat(core.statusCode()).as("/core status").isEqualTo(200);
        softly.assertThat(core.body()).as("/core body").isEqualTo("core");
        softly
            .assertThat(core.headers().firstValue("X-Filtered"))
            .as("/core: no servlet filter")
            .isEmpty();
      }
      softly.assertAll();
    }
  }

  @Test
  void springBootServesItsControllers() throws Exception {
    try (AppJvm app = AppJvm.builder(Jdks.current(), Server.SPRING_BOOT3).withoutAgent().start()) {
      SoftAssertions softly = new SoftAssertions();
      expect(softly, app.port(), "/users/42", 200, "42");
      expect(softly, app.port(), "/hello", 200, "hello");
      expect(softly, app.port(), "/fail", 500, null);
      softly.assertAll();
    }
  }

  @Test
  void standaloneTomcatDeploysAndUndeploysTheWar() throws Exception {
    try (StandaloneTomcat tomcat =
        StandaloneTomcat.builder(Jdks.current()).withoutAgent().start()) {
      tomcat.deploy(StandaloneTomcat.sampleWar(), "sample");
      SoftAssertions softly = new SoftAssertions();
      expectSampleServlets(softly, tomcat.port(), "/sample");
      softly.assertAll();

      tomcat.undeploy("sample");
      assertThat(Http.get(tomcat.port(), "/sample/hello").statusCode())
          .as("after undeployment")
          .isEqualTo(404);
    }
  }

  /**
   * Every endpoint of the sample servlets, under {@code context}, with the filter's header on each
   * (but on {@code /fail}: Undertow drops the headers set before an exception).
   */
  private static void expectSampleServlets(SoftAssertions softly, int port, String context)
      throws IOException, InterruptedException {
    expectFiltered(softly, port, context + "/hello", 200, "hello");
    expectFiltered(softly, port, context + "/users/42", 200, "/42");
    expectFiltered(softly, port, context + "/reports/monthly.do", 200, "do:/reports/monthly.do");
    expect(softly, port, context + "/fail", 500, null);
    expectFiltered(softly, port, context + "/send-error?status=503", 503, null);
    expectFiltered(softly, port, context + "/async?ms=20", 200, "async done");
    expectFiltered(softly, port, context + "/async-start?ms=20", 200, "async done");
    expectFiltered(softly, port, context + "/async-dispatch", 200, "hello");
    expectFiltered(softly, port, context + "/async-timeout", 504, "async timeout");
    expectFiltered(softly, port, context + "/forward", 200, "hello");
    expectFiltered(softly, port, context + "/include", 200, "include:hello");
  }

  private static void expectFiltered(
      SoftAssertions softly, int port, String path, int status, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response = expect(softly, port, path, status, body);
    softly
        .assertThat(response.headers().allValues("X-Filtered"))
        .as(path + " X-Filtered")
        .containsExactly("yes");
  }

  /** GET {@code path}: {@code status}, and {@code body} unless null. */
  private static HttpResponse<String> expect(
      SoftAssertions softly, int port, String path, int status, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response = Http.get(port, path);
    softly.assertThat(response.statusCode()).as(path + " status").isEqualTo(status);
    if (body != null) {
      softly.assertThat(response.body()).as(path + " body").isEqualTo(body);
    }
    return response;
  }
}
