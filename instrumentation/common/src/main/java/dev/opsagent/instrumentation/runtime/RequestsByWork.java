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
 * The request each piece of work (a handed-off work that cannot be wrapped, a thread started for a
 * request) works for, by the work's identity. Keys are weak, so work that never runs does not pin
 * its request; the map is striped, so that the threads of a busy pool rarely contend; and while it
 * is empty, a lookup costs one read of a counter. (A key collected before it was removed leaves the
 * counter one too high: lookups then take the slower path, with the same result.)
 */
public final class RequestsByWork {

  private static final int STRIPES = 32;

  @SuppressWarnings("unchecked")
  private final Map<Object, RequestContext>[] stripes = new Map[STRIPES];

  private final AtomicInteger size = new AtomicInteger();

  public RequestsByWork() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new WeakHashMap<>();
    }
  }

  /**
   * @return whether the work was not attached to a request yet
   */
  public boolean put(Object work, RequestContext request) {
    Map<Object, RequestContext> stripe = stripe(work);
    synchronized (stripe) {
      if (stripe.put(work, request) == null) {
        size.incrementAndGet();
        return true;
      }
      return false;
    }
  }

  /**
   * @return the request the work works for, or {@code null}
   */
  public RequestContext get(Object work) {
    if (size.get() == 0) {
      return null;
    }
    Map<Object, RequestContext> stripe = stripe(work);
    synchronized (stripe) {
      return stripe.get(work);
    }
  }

  /**
   * @return the request the work works for, or {@code null}; the work is detached
   */
  public RequestContext remove(Object work) {
    if (size.get() == 0) {
      return null;
    }
    Map<Object, RequestContext> stripe = stripe(work);
    synchronized (stripe) {
      RequestContext request = stripe.remove(work);
      if (request != null) {
        size.decrementAndGet();
      }
      return request;
    }
  }

  private Map<Object, RequestContext> stripe(Object work) {
    return stripes[System.identityHashCode(work) & (STRIPES - 1)];
  }
}
