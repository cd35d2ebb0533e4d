/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady load of requests on a server while a test changes something under it (attaching,
 * detaching the agent): a few client threads, each sending one request after the other, counting
 * what succeeded and keeping what failed. Bounded: it stops when closed or after {@code maxTime}.
 */
public final class RequestLoad implements AutoCloseable {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_FAILURES_KEPT = 20;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final List<Thread> clients = new ArrayList<>();
  private final AtomicInteger succeeded = new AtomicInteger();
  private final List<String> failures = new ArrayList<>();
  private final long deadlineNanos;
  private volatile boolean stopped;

  private RequestLoad(Duration maxTime) {
    this.deadlineNanos = System.nanoTime() + maxTime.toNanos();
  }

  /**
   * Starts {@code clients} threads that request {@code http://127.0.0.1:<port><pathAndQuery>} until
   * closed, or for {@code maxTime} at most.
   */
  public static RequestLoad start(int port, String pathAndQuery, int clients, Duration maxTime) {
    RequestLoad load = new RequestLoad(maxTime);
    URI uri = URI.create("http://127.0.0.1:" + port + pathAndQuery);
    for (int i = 0; i < clients; i++) {
      Thread thread = new Thread(() -> load.run(uri), "request-load-" + i);
      thread.setDaemon(true);
      load.clients.add(thread);
      thread.start();
    }
    return load;
  }

  private void run(URI uri) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build();
    while (!stopped && System.nanoTime() < deadlineNanos) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          succeeded.incrementAndGet();
        } else {
          failed("status " + response.statusCode());
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failed(e.toString());
      }
    }
  }

  private synchronized void failed(String failure) {
    if (failures.size() < MAX_FAILURES_KEPT) {
      failures.add(failure);
    }
  }

  public int succeeded() {
    return succeeded.get();
  }

  /** The first failures (status other than 200, or an exception), empty if none. */
  public synchronized List<String> failures() {
    return new ArrayList<>(failures);
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    for (Thread thread : clients) {
      thread.join(TimeUnit.SECONDS.toMillis(REQUEST_TIMEOUT.toSeconds() + 5));
    }
  }
}
