/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The server applications of {@code smoke-tests/servers}, one module each, for {@link
 * AppJvm#builder(Jdk, Server)}. Its {@code toString()} is the module's name, so parameterized test
 * names read "tomcat9".
 *
 * <p>The servlet containers run the same sample servlets and filter (the module
 * servlet-jakarta-app, or its javax.servlet rewrite servlet-javax-app), mapped at the root context:
 * {@code /hello}, {@code /users/*}, {@code *.do}, {@code /fail}, {@code /send-error}, {@code
 * /async}, {@code /async-dispatch}, {@code /async-timeout}, {@code /forward}, {@code /include}, and
 * a filter on {@code /*} that adds {@code X-Filtered: yes}. Some also serve {@code /core} with the
 * server's own handler API, which no servlet or filter sees ({@link #coreHandler()}).
 */
public enum Server {
  /** Embedded Tomcat 9.0, javax.servlet. */
  TOMCAT9("tomcat9", "dev.opsagent.servers.tomcat.TomcatApp", true, false),
  /** Embedded Tomcat 10.1, jakarta.servlet. */
  TOMCAT10("tomcat10", "dev.opsagent.servers.tomcat.TomcatApp", true, false),
  /** Embedded Tomcat 11.0, jakarta.servlet. */
  TOMCAT11("tomcat11", "dev.opsagent.servers.tomcat.TomcatApp", true, false),
  /** Jetty 9.4, javax.servlet ({@code jetty-servlet}). */
  JETTY9("jetty9", "dev.opsagent.servers.jetty.JettyApp", true, false),
  /** Jetty 11.0, jakarta.servlet ({@code jetty-servlet}). */
  JETTY11("jetty11", "dev.opsagent.servers.jetty.JettyApp", true, false),
  /** Jetty 12, ee10 servlets, and a Jetty core {@code Handler} at {@code /core}. */
  JETTY12("jetty12", "dev.opsagent.servers.jetty12.Jetty12App", true, true),
  /** Undertow 2.2, javax.servlet, and an Undertow {@code HttpHandler} at {@code /core}. */
  UNDERTOW22("undertow22", "dev.opsagent.servers.undertow.UndertowApp", true, true),
  /** Undertow 2.3, jakarta.servlet, and an Undertow {@code HttpHandler} at {@code /core}. */
  UNDERTOW23("undertow23", "dev.opsagent.servers.undertow.UndertowApp", true, true),
  /**
   * Spring Boot 3 on its embedded Tomcat: {@code @GetMapping("/users/{id}")} answers the id, {@code
   * /hello} answers {@code hello}, {@code /fail} throws (500).
   */
  SPRING_BOOT3("spring-boot3", "dev.opsagent.servers.springboot.SpringBootApp", false, false);

  private final String module;
  private final String mainClass;
  private final boolean sampleServlets;
  private final boolean coreHandler;

  Server(String module, String mainClass, boolean sampleServlets, boolean coreHandler) {
    this.module = module;
    this.mainClass = mainClass;
    this.sampleServlets = sampleServlets;
    this.coreHandler = coreHandler;
  }

  /** The servers that run the sample servlets. */
  public static List<Server> servletContainers() {
    return Arrays.stream(values()).filter(Server::sampleServlets).collect(Collectors.toList());
  }

  /** The module's folder name under {@code smoke-tests/servers}. */
  public String module() {
    return module;
  }

  public String mainClass() {
    return mainClass;
  }

  /** Whether it runs the sample servlets and filter at the root context. */
  public boolean sampleServlets() {
    return sampleServlets;
  }

  /** Whether it also answers {@code /core} (200 {@code core}) through the server's own API. */
  public boolean coreHandler() {
    return coreHandler;
  }

  /** The module's classes, then its runtime libraries ({@code target/app.classpath}). */
  String classPath() throws IOException {
    Path target = BuildPaths.serversDirectory().resolve(module).resolve("target");
    String what = "built by the module smoke-tests/servers/" + module;
    Path classes = BuildPaths.existing(target.resolve("classes"), what);
    String libraries =
        Files.readString(BuildPaths.existing(target.resolve("app.classpath"), what)).trim();
    return libraries.isEmpty() ? classes.toString() : classes + File.pathSeparator + libraries;
  }

  @Override
  public String toString() {
    return module;
  }
}
