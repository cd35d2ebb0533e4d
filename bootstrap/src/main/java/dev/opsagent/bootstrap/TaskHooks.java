/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.bootstrap;

import java.util.concurrent.Callable;

/**
 * What advice woven into executors calls when work is handed from one thread to another. The
 * implementation lives in the agent class loader; advice reaches it through {@link Bridge}. With no
 * request current on the calling thread every method returns at once, leaves its argument as it is
 * and allocates nothing. Implementations never throw.
 */
public interface TaskHooks {

  /**
   * @return a task that runs {@code task} for the calling thread's request, or {@code task}
   */
  Runnable wrap(Runnable task);

  /**
   * @return a task that calls {@code task} for the calling thread's request, or {@code task}
   */
  Callable<?> wrap(Callable<?> task);

  /**
   * A task that cannot be wrapped (a {@code ForkJoinTask}: forking and joining rely on its
   * identity) is handed off: it will work for the calling thread's request.
   */
  void attach(Object task);

  /**
   * The calling thread begins to run {@code task}.
   *
   * @return a token for {@link #taskFinished}, or {@code null} when the task works for no request
   */
  Object taskStarting(Object task);

  /** The task whose start returned {@code token} has finished, normally or not. */
  void taskFinished(Object token);

  /** Changes nothing: in place until the agent has started. */
  TaskHooks NO_OP =
      new TaskHooks() {
        @Override
        public Runnable wrap(Runnable task) {
          return task;
        }

        @Override
        public Callable<?> wrap(Callable<?> task) {
          return task;
        }

        @Override
        public void attach(Object task) {}

        @Override
        public Object taskStarting(Object task) {
          return null;
        }

        @Override
        public void taskFinished(Object token) {}
      };
}
