/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Tells a pool's worker thread from a thread started for one piece of work, and which thread
 * factory made it. A thread pool starts its workers from its own code, often while the first task
 * that needs one is handed off during a request, and they then serve every later task, for any
 * request. {@code ThreadPoolExecutor.addWorker} is announced by advice; a fork/join pool's workers
 * are {@link ForkJoinWorkerThread}s (virtual threads' carriers too).
 */
final class PoolWorkers {

  /** The pool adding a worker on the calling thread, if any. */
  private static final ThreadLocal<ThreadPoolExecutor> ADDING = new ThreadLocal<>();

  private PoolWorkers() {}

  /**
   * The calling thread, {@code pool}'s, is about to add a worker.
   *
   * @return what {@link #added} restores
   */
  static Object adding(Object pool) {
    ThreadPoolExecutor previous = ADDING.get();
    if (pool instanceof ThreadPoolExecutor) {
      ADDING.set((ThreadPoolExecutor) pool);
    }
    return previous;
  }

  /** The worker that {@link #adding} announced was added, or could not be. */
  static void added(Object previous) {
    if (previous instanceof ThreadPoolExecutor) {
      ADDING.set((ThreadPoolExecutor) previous);
    } else {
      ADDING.remove();
    }
  }

  /**
   * @return the factory of the pool whose worker {@code thread}, being started on the calling
   *     thread, is; or {@code null} if it is not a pool's worker
   */
  static Object factoryOf(Thread thread) {
    if (thread instanceof ForkJoinWorkerThread) {
      ForkJoinPool pool = ((ForkJoinWorkerThread) thread).getPool();
      return pool == null ? thread : pool.getFactory();
    }
    ThreadPoolExecutor pool = ADDING.get();
    return pool == null ? null : pool.getThreadFactory();
  }
}
