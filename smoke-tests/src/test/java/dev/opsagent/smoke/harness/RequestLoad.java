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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A steady load of requests on a server while a test changes something under it (attaching,
 * detaching the agent, breaking its collector): a few client threads, each sending one request
 * after the other, counting what succeeded, keeping what failed and timing every request. Bounded:
 * it stops when closed, after {@code maxRequests} requests or after {@code maxTime}.
 */
public final class RequestLoad implements AutoCloseable {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_FAILURES_KEPT = 20;

  /** For a load bounded by its time only: more than any test sends. */
  private static final int DEFAULT_MAX_REQUESTS = 1_000_000;

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final List<Thread> clients = new ArrayList<>();
  private final AtomicInteger succeeded = new AtomicInteger();
  private final List<String> failures = new ArrayList<>();
  private final long deadlineNanos;
  private final long pauseNanos;

  /** Each request's time in microseconds, by the order it was sent in; 0 while unanswered. */
  private final int[] latencyMicros;

  private final AtomicInteger sent = new AtomicInteger();
  private volatile boolean stopped;

  private RequestLoad(Duration pause, int maxRequests, Duration maxTime) {
    this.deadlineNanos = System.nanoTime() + maxTime.toNanos();
    this.pauseNanos = pause.toNanos();
    this.latencyMicros = new int[maxRequests];
  }

  /**
   * Starts {@code clients} threads that request {@code http://127.0.0.1:<port><pathAndQuery>} as
   * fast as answers come, until closed, or for {@code maxTime} at most.
   */
  public static RequestLoad start(int port, String pathAndQuery, int clients, Duration maxTime) {
    return start(port, pathAndQuery, clients, Duration.ZERO, DEFAULT_MAX_REQUESTS, maxTime);
  }

  /**
   * Starts {@code clients} threads that request {@code http://127.0.0.1:<port><pathAndQuery>}, each
   * pausing {@code pause} after every answer, until closed, {@code maxRequests} were sent, or for
   * {@code maxTime} at most. A pause keeps the rate below what the server can take, so the
   * requests' times say how fast it answers, not how long they queued.
   */
  public static RequestLoad start(
      int port,
      String pathAndQuery,
      int clients,
      Duration pause,
      int maxRequests,
      Duration maxTime) {
    RequestLoad load = new RequestLoad(pause, maxRequests, maxTime);
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
      int index = sent.getAndIncrement();
      if (index >= latencyMicros.length) {
        return;
      }
      long start = System.nanoTime();
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
      latencyMicros[index] =
          (int) Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
      if (pauseNanos > 0) {
        LockSupport.parkNanos(pauseNanos);
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

  /**
   * Waits until the load ended by itself (all its requests sent, or its time over), at most {@code
   * timeout}.
   *
   * @return whether it ended
   */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread thread : clients) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      thread.join(left);
      if (thread.isAlive()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The time within which {@code percent} % of the answered requests were answered (nearest rank),
   * e.g. {@code latency(99)}; {@code latency(100)} is the slowest. Call once the load ended.
   */
  public Duration latency(double percent) {
    int[] answered =
        Arrays.stream(latencyMicros, 0, Math.min(sent.get(), latencyMicros.length))
            .filter(micros -> micros > 0)
            .sorted()
            .toArray();
    if (answered.length == 0) {
      throw new IllegalStateException("no request was answered");
    }
    int rank = (int) Math.ceil(percent / 100 * answered.length);
    return Duration.ofNanos(
        TimeUnit.MICROSECONDS.toNanos(answered[Math.max(0, Math.min(rank, answered.length) - 1)]));
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    for (Thread thread : clients) {
      thread.join(TimeUnit.SECONDS.toMillis(REQUEST_TIMEOUT.toSeconds() + 5));
    }
  }
}
