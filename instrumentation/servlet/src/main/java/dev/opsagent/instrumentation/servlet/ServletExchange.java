/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.servlet;

import java.util.concurrent.atomic.AtomicBoolean;

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

  /** The recording ended (an asynchronous request completes once, but listeners can repeat). */
  final AtomicBoolean ended = new AtomicBoolean();

  ServletExchange(Object request, Object response, ServletApi api) {
    this.request = request;
    this.response = response;
    this.api = api;
  }
}
