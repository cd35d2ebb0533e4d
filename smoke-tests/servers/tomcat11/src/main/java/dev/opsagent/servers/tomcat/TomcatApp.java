/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.servers.tomcat;

import dev.opsagent.servers.servlet.SampleInitializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat running the sample servlets at the root context, on {@code 127.0.0.1} and a free
 * port; prints {@code READY port=<n>} once it serves. The same source is compiled against Tomcat
 * 9.0 (javax.servlet), 10.1 and 11.0 (jakarta.servlet): their embedding API is the same.
 */
public final class TomcatApp {

  private TomcatApp() {}

  public static void main(String[] args) throws Exception {
    Path baseDir = Files.createTempDirectory("opsagent-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);

    Context context = tomcat.addContext("", baseDir.toString());
    context.addServletContainerInitializer(new SampleInitializer(), null);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(tomcat, baseDir), "tomcat-stop"));
    tomcat.start();
    System.out.println("READY port=" + connector.getLocalPort());
    tomcat.getServer().await();
  }

  /** Stops Tomcat and removes its temporary base directory. */
  private static void stop(Tomcat tomcat, Path baseDir) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      e.printStackTrace();
    }
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(TomcatApp::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
