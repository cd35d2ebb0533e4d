/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Allocation read from a GC log ({@code -Xlog:gc:file=...:uptime}): what the heap held before each
 * pause less what the pause before it left, summed over a window. A cross-check of the thread
 * counters, to 1 MB per collection (the log's unit).
 */
final class GcLog {

  /** {@code [12.345s] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 120M->8M(256M) 3.4ms}. */
  private static final Pattern PAUSE =
      Pattern.compile(
          "^\\[([\\d.]+)s\\].*GC\\(\\d+\\) Pause .*?(\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

  private GcLog() {}

  /**
   * Bytes allocated between two moments of the JVM's uptime, given the heap in use at each.
   *
   * @return the estimate and the number of collections it spans
   */
  static long[] allocated(
      List<String> lines, long startUptimeMs, long startHeap, long endUptimeMs, long endHeap) {
    long previousAfter = startHeap;
    long sum = 0;
    long pauses = 0;
    for (String line : lines) {
      Matcher pause = PAUSE.matcher(line);
      if (!pause.find()) {
        continue;
      }
      double atMs = Double.parseDouble(pause.group(1)) * 1000;
      if (atMs <= startUptimeMs || atMs >= endUptimeMs) {
        continue;
      }
      long before = bytes(pause.group(2), pause.group(3));
      sum += Math.max(0, before - previousAfter);
      previousAfter = bytes(pause.group(4), pause.group(5));
      pauses++;
    }
    sum += Math.max(0, endHeap - previousAfter);
    return new long[] {sum, pauses};
  }

  private static long bytes(String value, String unit) {
    long number = Long.parseLong(value);
    switch (unit) {
      case "K":
        return number << 10;
      case "M":
        return number << 20;
      default:
        return number << 30;
    }
  }
}
