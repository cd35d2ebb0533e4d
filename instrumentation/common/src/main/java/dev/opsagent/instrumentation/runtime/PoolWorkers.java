/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

/**
 * Tells a pool's worker thread from a thread started for one piece of work: a thread pool starts
 * its workers from its own code ({@code ThreadPoolExecutor.addWorker}, {@code
 * ForkJoinPool.createWorker}), often while the first task that needs one is handed off during a
 * request, and they then serve every later task, for any request.
 */
final class PoolWorkers {

  /** Pool code calls Thread.start within a few frames; no need to walk a deep stack. */
  private static final int FRAMES = 8;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private PoolWorkers() {}

  /**
   * @return whether the thread being started on the calling thread is a pool's worker
   */
  static boolean isBeingStarted() {
    return WALKER.walk(frames -> frames.limit(FRAMES).anyMatch(PoolWorkers::startsWorker));
  }

  private static boolean startsWorker(StackWalker.StackFrame frame) {
    String method = frame.getMethodName();
    String type = frame.getClassName();
    return (method.equals("addWorker") && type.equals("java.util.concurrent.ThreadPoolExecutor"))
        || (method.equals("createWorker") && type.equals("java.util.concurrent.ForkJoinPool"));
  }
}
