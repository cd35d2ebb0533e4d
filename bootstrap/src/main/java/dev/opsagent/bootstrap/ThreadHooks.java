/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

/**
 * What advice woven into {@code java.lang.Thread}, {@code java.lang.VirtualThread} and the thread
 * pools calls as threads are started, run and end, and what a request's record calls as it
 * completes. The implementation lives in the agent class loader; advice reaches it through {@link
 * Bridge}. Implementations never throw.
 */
public interface ThreadHooks {

  /**
   * {@code thread} is being started by the calling thread.
   *
   * @param virtual whether it is a virtual thread
   */
  void threadStarting(Thread thread, boolean virtual);

  /** The calling thread, just started, begins to run its task. */
  void threadRunning();

  /** The calling platform thread is about to terminate. */
  void threadExiting();

  /**
   * The record of the request {@code thread}, a platform thread, was started for completes before
   * the thread terminated: it works for that request no longer. Called on the thread completing the
   * record, with the request's lock held: until the implementation forgets the thread, the thread's
   * termination waits for that lock ({@link RequestContext#threadTerminated}), so it must read the
   * thread first.
   *
   * @param cost receives what {@code thread} spent since it started, read from outside by its id:
   *     CPU ns, allocated bytes, blocked ns, waited ns; each left negative where it cannot be read
   *     (the thread never ran, say)
   */
  void threadDetached(Thread thread, long[] cost);

  /**
   * The calling thread, a pool, is about to add a worker thread ({@code
   * ThreadPoolExecutor.addWorker}).
   *
   * @return what {@link #poolWorkerAdded} needs to leave the thread as it was
   */
  Object poolAddingWorker(Object pool);

  /** The worker that {@link #poolAddingWorker} announced was added, or could not be. */
  void poolWorkerAdded(Object token);

  /**
   * The calling carrier thread is about to run (mount) {@code virtualThread} until it parks, yields
   * or terminates.
   *
   * @return a token for {@link #virtualThreadUnmounted}, or {@code null} when there is nothing to
   *     measure
   */
  Object virtualThreadMounting(Thread virtualThread);

  /** The carrier thread got back from running {@code virtualThread}. */
  void virtualThreadUnmounted(Thread virtualThread, Object token);

  /** Changes nothing: in place until the agent has started. */
  ThreadHooks NO_OP =
      new ThreadHooks() {
        @Override
        public void threadStarting(Thread thread, boolean virtual) {}

        @Override
        public void threadRunning() {}

        @Override
        public void threadExiting() {}

        @Override
        public void threadDetached(Thread thread, long[] cost) {}

        @Override
        public Object poolAddingWorker(Object pool) {
          return null;
        }

        @Override
        public void poolWorkerAdded(Object token) {}

        @Override
        public Object virtualThreadMounting(Thread virtualThread) {
          return null;
        }

        @Override
        public void virtualThreadUnmounted(Thread virtualThread, Object token) {}
      };
}
