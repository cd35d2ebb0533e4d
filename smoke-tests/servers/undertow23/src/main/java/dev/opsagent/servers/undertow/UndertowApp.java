/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.undertow;

import dev.opsagent.servers.servlet.SampleInitializer;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;

/**
 * Embedded Undertow on {@code 127.0.0.1} and a free port: the sample servlets at the root context,
 * and an Undertow core {@link HttpHandler} at {@code /core}, routed by a path handler in front of
 * the servlets so that no servlet or filter sees it (200 {@code core}). Prints {@code READY
 * port=<n>} once it serves. The same source is compiled against Undertow 2.2 (javax.servlet) and
 * 2.3 (jakarta.servlet).
 */
public final class UndertowApp {

  private UndertowApp() {}

  public static void main(String[] args) throws Exception {
    DeploymentInfo deployment =
        Servlets.deployment()
            .setClassLoader(UndertowApp.class.getClassLoader())
            .setContextPath("/")
            .setDeploymentName("sample")
            .addServletContainerInitializer(
                new ServletContainerInitializerInfo(
                    SampleInitializer.class,
                    new ImmediateInstanceFactory<>(new SampleInitializer()),
                    null));
    DeploymentManager manager = Servlets.defaultContainer().addDeployment(deployment);
    manager.deploy();
    HttpHandler servlets = manager.start();

    Undertow server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(Handlers.path(servlets).addPrefixPath("/core", UndertowApp::core))
            .build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "undertow-stop"));
    InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
    System.out.println("READY port=" + address.getPort());
  }

  /** 200 {@code core}, written by Undertow's core API alone. */
  private static void core(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain;charset=utf-8");
    exchange.getResponseSender().send("core");
  }
}
