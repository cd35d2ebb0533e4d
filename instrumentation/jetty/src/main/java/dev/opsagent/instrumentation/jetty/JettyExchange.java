/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.jetty;

/** One request that {@code Server.handle} records: what the recorder reads. */
final class JettyExchange {

  final Object request;
  final Object response;
  final JettyApi api;

  /**
   * No handler took the request ({@code handle} returned {@code false}): the server answers 404.
   * Written and read on {@code handle}'s thread.
   */
  boolean declined;

  /**
   * {@code handle} threw or the callback failed: unless a response was committed, the server
   * answers with an error.
   */
  volatile boolean failed;

  JettyExchange(Object request, Object response, JettyApi api) {
    this.request = request;
    this.response = response;
    this.api = api;
  }
}
