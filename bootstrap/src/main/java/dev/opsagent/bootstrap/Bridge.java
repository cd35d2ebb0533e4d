/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * The narrow door through which advice inlined into application and JDK classes reaches the agent.
 * Advice may reference only JDK types and bootstrap types, so it reads a hook from here; the agent
 * installs the hooks when it starts and puts the no-op ones back when it stops.
 */
public final class Bridge {

  /** Hooks for {@code com.sun.net.httpserver} exchanges. */
  public static volatile HttpServerHooks jdkHttpServer = HttpServerHooks.NO_OP;

  /** Hooks for servlets and filters, {@code javax.servlet} and {@code jakarta.servlet}. */
  public static volatile ServletHooks servlet = ServletHooks.NO_OP;

  /** Hooks for Jetty 12's own entry point, {@code Server.handle}. */
  public static volatile JettyHooks jetty = JettyHooks.NO_OP;

  /** Hooks for Undertow's own entry point, {@code Connectors.executeRootHandler}. */
  public static volatile UndertowHooks undertow = UndertowHooks.NO_OP;

  /** Hooks for work handed to executors. */
  public static volatile TaskHooks tasks = TaskHooks.NO_OP;

  /** Hooks for threads, platform and virtual, as they start, run and end. */
  public static volatile ThreadHooks threads = ThreadHooks.NO_OP;

  private Bridge() {}

  /**
   * Puts the no-op hooks back: the agent detaches. Woven code still running (a method that was on a
   * stack while its class was restored) from now on reports to nothing.
   */
  public static void reset() {
    jdkHttpServer = HttpServerHooks.NO_OP;
    servlet = ServletHooks.NO_OP;
    jetty = JettyHooks.NO_OP;
    undertow = UndertowHooks.NO_OP;
    tasks = TaskHooks.NO_OP;
    threads = ThreadHooks.NO_OP;
  }
}
