/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The end of a request recorded at a server's own entry point (Jetty's {@code Server.handle},
 * Undertow's root handler), where the server says apart from the entry point's return when the
 * request completed (Jetty's callback, Undertow's exchange completion). That signal may come before
 * the entry point returns, on its thread or on another one, or after, from any thread; the request
 * is recorded as ending exactly once, when both have happened:
 *
 * <ul>
 *   <li>completed before the entry point returned: it ends as the entry point returns, and so
 *       counts all its thread did;
 *   <li>still going on when the entry point returns: the entry point's thread leaves it and the
 *       request goes on asynchronously, until the signal ends it on the signalling thread.
 * </ul>
 *
 * @param <X> the exchange the recorder reads
 */
public final class RequestCompletion<X> {

  /** The entry point runs; the server has not signalled completion. */
  private static final int HANDLING = 0;

  /** The server signalled completion while the entry point still runs: its return ends it. */
  private static final int COMPLETED = 1;

  /** The entry point returned first: the signal ends it. */
  private static final int ASYNC = 2;

  /** The signal ended it after the entry point had returned. */
  private static final int ENDED = 3;

  private final HttpServerRecorder<X> recorder;
  private final Object token;
  private final X exchange;
  private final AtomicInteger state = new AtomicInteger(HANDLING);

  /** What the completion signal carried; written before the state changes, which publishes it. */
  private Throwable failure;

  /**
   * @param token what {@link HttpServerRecorder#onEnter} returned for {@code exchange}
   */
  public RequestCompletion(HttpServerRecorder<X> recorder, Object token, X exchange) {
    this.recorder = recorder;
    this.token = token;
    this.exchange = exchange;
  }

  /**
   * The server signalled that the request completed; the caller signals once.
   *
   * @param failure what the request failed with, or {@code null}
   */
  public void completed(Throwable failure) {
    this.failure = failure;
    if (!state.compareAndSet(HANDLING, COMPLETED) && state.compareAndSet(ASYNC, ENDED)) {
      recorder.onAsyncEnd(token, exchange, failure);
    }
  }

  /**
   * The entry point returned or threw; its thread leaves the request in every case.
   *
   * @param signalComing whether the server will signal the request's completion, if it has not done
   *     so yet; {@code false} when the entry point threw or declined the request (the server then
   *     answers itself, without telling)
   * @param thrown what the entry point threw, or {@code null}
   */
  public void entryPointReturned(boolean signalComing, Throwable thrown) {
    if (signalComing) {
      // Measures this thread's part before a signal from another thread can read it.
      recorder.onAsyncStarted(token);
      if (state.compareAndSet(HANDLING, ASYNC)) {
        return;
      }
    }
    recorder.onExit(token, exchange, thrown != null ? thrown : failure);
  }
}
