/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** One request being recorded at its outermost servlet or filter: what the recorder reads. */
final class ServletExchange {

  final Object request;
  final Object response;
  final ServletApi api;

  /** The recorder's token, once it started recording the request. */
  Object token;

  /** The outermost servlet or filter threw: unless a response was sent, the server sends 500. */
  volatile boolean failed;

  /** What an asynchronous request's error event carried, if any. */
  volatile Throwable asyncError;

  private static final AtomicIntegerFieldUpdater<ServletExchange> ENDED =
      AtomicIntegerFieldUpdater.newUpdater(ServletExchange.class, "ended");

  /**
   * 1 once the recording ended (an asynchronous request completes once, but listeners can repeat);
   * a field with an updater, not an {@code AtomicBoolean} per request.
   */
  private volatile int ended;

  ServletExchange(Object request, Object response, ServletApi api) {
    this.request = request;
    this.response = response;
    this.api = api;
  }

  /**
   * @return whether this call ended the recording: it had not ended
   */
  boolean end() {
    return ENDED.compareAndSet(this, 0, 1);
  }
}
