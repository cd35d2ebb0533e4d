/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * The request a thread is working for. It lives on the bootstrap class path because advice on JDK
 * classes (threads, executors) must be able to carry it from the thread that received the request
 * to every thread that works for it; the agent's per-request record extends it.
 *
 * <p>At most one request is current on a thread: a server entry point that finds one already
 * current is nested inside it (a wrapping handler, a filter chain) and records nothing.
 */
public abstract class RequestContext {

  private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

  /** The thread that received the request. */
  private final Thread receivingThread = Thread.currentThread();

  protected RequestContext() {}

  /**
   * @return the request the calling thread works for, or {@code null}
   */
  public static RequestContext current() {
    return CURRENT.get();
  }

  /** Makes this the calling thread's current request. */
  public final void makeCurrent() {
    CURRENT.set(this);
  }

  /** Leaves the calling thread working for no request. */
  public static void clearCurrent() {
    CURRENT.remove();
  }

  /**
   * @return the thread that received the request
   */
  public final Thread receivingThread() {
    return receivingThread;
  }
}
