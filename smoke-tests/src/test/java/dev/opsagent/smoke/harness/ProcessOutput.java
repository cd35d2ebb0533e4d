/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One output stream of a child process, pumped line by line into memory and echoed to the test's
 * output.
 */
final class ProcessOutput {

  private final List<String> lines = new ArrayList<>();
  private final Thread pump;
  private boolean ended;

  ProcessOutput(InputStream stream, String echoPrefix, String threadName) {
    pump = new Thread(() -> pump(stream, echoPrefix), threadName);
    pump.setDaemon(true);
    pump.start();
  }

  private void pump(InputStream stream, String echoPrefix) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        System.out.println(echoPrefix + line);
        synchronized (this) {
          lines.add(line);
          notifyAll();
        }
      }
    } catch (IOException e) {
      System.out.println(echoPrefix + "(output no longer readable: " + e + ")");
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /** The first line matching, waiting until it comes, the output ends or the timeout passes. */
  synchronized Optional<String> awaitLine(Predicate<String> matcher, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int checked = 0;
    while (true) {
      for (; checked < lines.size(); checked++) {
        if (matcher.test(lines.get(checked))) {
          return Optional.of(lines.get(checked));
        }
      }
      long remaining = deadline - System.nanoTime();
      if (ended || remaining <= 0) {
        return Optional.empty();
      }
      TimeUnit.NANOSECONDS.timedWait(this, remaining);
    }
  }

  synchronized String text() {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  synchronized boolean hasEnded() {
    return ended;
  }

  void join(Duration timeout) throws InterruptedException {
    pump.join(timeout.toMillis());
  }
}
