/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent;

import dev.opsagent.cli.Cli;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * The entry point of {@code opsagent.jar}, and the only agent class the system class loader loads.
 * It puts the bootstrap classes on the bootstrap class path, creates the isolated agent class
 * loader, and hands over to the agent inside it. Nothing it does may stop the application: if the
 * agent cannot start, the application runs without it.
 */
public final class OpsAgent {

  private OpsAgent() {}

  /** Called by the JVM for {@code -javaagent:opsagent.jar[=key=value,...]}. */
  public static void premain(String agentArguments, Instrumentation instrumentation) {
    if (JdkTools.skipAgent(agentArguments)) return;
    start(agentArguments, instrumentation, false);
  }

  /** Called by the JVM when the agent is loaded into a running JVM. */
  public static void agentmain(String agentArguments, Instrumentation instrumentation) {
    start(agentArguments, instrumentation, true);
  }

  /** {@code java -jar opsagent.jar <command>}: the command line, see {@link Cli}. */
  public static void main(String[] arguments) {
    Cli.main(arguments);
  }

  /**
   * What {@code agentmain} is asked, by {@code java -jar opsagent.jar detach}: detach the agent.
   * Anything else attaches it, with these as its arguments.
   */
  private static final String DETACH = "detach";

  /**
   * How {@code java -jar opsagent.jar attach} starts its arguments: one {@code key=value} per line
   * follows, so that values may hold commas.
   */
  private static final String ATTACH = "attach\n";

  /** The agent, in its class loader, while it runs in this JVM; closing it detaches it. */
  private static AutoCloseable running;

  /** The jar is on the bootstrap class path: it stays there after a detach, for a later attach. */
  private static boolean onBootstrapPath;

  private static synchronized void start(
      String agentArguments, Instrumentation instrumentation, boolean attached) {
    long startNanos = System.nanoTime();
    if (attached && agentArguments != null && agentArguments.trim().equals(DETACH)) {
      detach();
      return;
    }
    if (running != null) {
      System.err.println(
          "[opsagent] INFO opsagent is already running in this JVM: the new attach changes nothing"
              + " (detach it first to attach it with another configuration)");
      return;
    }
    String arguments =
        attached && agentArguments != null && agentArguments.startsWith(ATTACH)
            ? agentArguments.substring(ATTACH.length())
            : agentArguments;
    try {
      URL location = OpsAgent.class.getProtectionDomain().getCodeSource().getLocation();
      File jarFile = new File(location.toURI());
      if (!onBootstrapPath) {
        instrumentation.appendToBootstrapClassLoaderSearch(new JarFile(jarFile, false));
        onBootstrapPath = true;
      }
      // Loaded by the bootstrap class loader from here on: never through the system class loader.
      Class<?> loaderClass = Class.forName("dev.opsagent.bootstrap.AgentClassLoader", true, null);
      ClassLoader agentLoader =
          (ClassLoader)
              loaderClass
                  .getConstructor(JarFile.class, URL.class)
                  .newInstance(new JarFile(jarFile, false), location);
      Class<?> starter = Class.forName("dev.opsagent.agent.AgentStarter", true, agentLoader);
      running =
          (AutoCloseable)
              starter
                  .getMethod(
                      "start", String.class, Instrumentation.class, boolean.class, long.class)
                  .invoke(null, arguments, instrumentation, attached, startNanos);
    } catch (Throwable t) {
      Throwable cause = t.getCause() != null ? t.getCause() : t;
      System.err.println(
          "[opsagent] ERROR the agent could not start and is not active; the application runs"
              + " without it. Cause: "
              + cause);
    }
  }

  /** Detaches the agent: it restores the application's classes and stops everything it started. */
  private static void detach() {
    AutoCloseable agent = running;
    if (agent == null) {
      System.err.println("[opsagent] INFO opsagent is not running in this JVM: nothing to detach");
      return;
    }
    running = null;
    try {
      agent.close();
    } catch (Throwable t) {
      System.err.println("[opsagent] ERROR detaching the agent failed. Cause: " + t);
    }
  }
}
