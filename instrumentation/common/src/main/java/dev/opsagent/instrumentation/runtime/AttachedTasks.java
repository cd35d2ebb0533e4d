/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import dev.opsagent.bootstrap.RequestContext;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request each handed-off task that cannot be wrapped works for, from its hand-off until it
 * starts to run. Keys are weak, so a task that never runs does not pin its request; the map is
 * striped, so that the workers of a busy pool rarely contend; and while no task is attached at all,
 * a lookup costs one read of a counter. (A task collected before it ran leaves the counter one too
 * high: lookups then take the slower path, with the same result.)
 */
final class AttachedTasks {

  private static final int STRIPES = 32;

  @SuppressWarnings("unchecked")
  private final Map<Object, RequestContext>[] stripes = new Map[STRIPES];

  private final AtomicInteger size = new AtomicInteger();

  AttachedTasks() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new WeakHashMap<>();
    }
  }

  /**
   * @return whether the task was not attached to a request yet
   */
  boolean put(Object task, RequestContext request) {
    Map<Object, RequestContext> stripe = stripe(task);
    synchronized (stripe) {
      if (stripe.put(task, request) == null) {
        size.incrementAndGet();
        return true;
      }
      return false;
    }
  }

  /**
   * @return the request the task works for, or {@code null}; the task is detached
   */
  RequestContext remove(Object task) {
    if (size.get() == 0) {
      return null;
    }
    Map<Object, RequestContext> stripe = stripe(task);
    synchronized (stripe) {
      RequestContext request = stripe.remove(task);
      if (request != null) {
        size.decrementAndGet();
      }
      return request;
    }
  }

  private Map<Object, RequestContext> stripe(Object task) {
    return stripes[System.identityHashCode(task) & (STRIPES - 1)];
  }
}
