/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code wrk} and reads its report. */
final class Wrk {

  /** What one run of wrk reports, plus the CPU wrk itself used. */
  record Result(
      long requests,
      double seconds,
      double requestsPerSecond,
      double p50Millis,
      double p90Millis,
      double p99Millis,
      long non2xx,
      long socketErrors,
      long cpuTicks) {}

  private static final Pattern REQUESTS =
      Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h)");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern PERCENTILE =
      Pattern.compile(
          "^\\s*(50|90|99)(?:\\.\\d+)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern CPU = Pattern.compile("^@cpu (.*)$", Pattern.MULTILINE);

  private Wrk() {}

  /**
   * Runs {@code wrk --latency} against {@code url} and returns its report. It runs under a shell
   * that prints its own {@code /proc/<pid>/stat} once wrk has ended, whose children's CPU times are
   * then exactly wrk's.
   */
  static Result run(String url, int threads, int connections, int seconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("sh");
    command.add("-c");
    command.add("wrk \"$@\"; s=$?; read -r stat < /proc/$$/stat; echo \"@cpu $stat\"; exit $s");
    command.add("sh");
    command.add("--latency");
    command.add("-t" + threads);
    command.add("-c" + connections);
    command.add("-d" + seconds + "s");
    command.add("--timeout");
    command.add("10s");
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Processes.track(process);
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("wrk did not end");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("wrk failed (" + process.exitValue() + "): " + text);
    }
    return parse(text);
  }

  /** Reads a {@code wrk --latency} report (and the {@code @cpu} line {@link #run} adds). */
  static Result parse(String text) {
    Matcher requests = REQUESTS.matcher(text);
    Matcher rate = RATE.matcher(text);
    if (!requests.find() || !rate.find()) {
      throw new IllegalArgumentException("not a wrk report:\n" + text);
    }
    double p50 = Double.NaN;
    double p90 = Double.NaN;
    double p99 = Double.NaN;
    Matcher percentile = PERCENTILE.matcher(text);
    while (percentile.find()) {
      double millis = millis(Double.parseDouble(percentile.group(2)), percentile.group(3));
      switch (percentile.group(1)) {
        case "50" -> p50 = millis;
        case "90" -> p90 = millis;
        default -> p99 = millis;
      }
    }
    Matcher non2xx = NON_2XX.matcher(text);
    Matcher socket = SOCKET_ERRORS.matcher(text);
    long socketErrors = 0;
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        socketErrors += Long.parseLong(socket.group(i));
      }
    }
    Matcher cpu = CPU.matcher(text);
    return new Result(
        Long.parseLong(requests.group(1)),
        millis(Double.parseDouble(requests.group(2)), requests.group(3)) / 1000,
        Double.parseDouble(rate.group(1)),
        p50,
        p90,
        p99,
        non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0,
        socketErrors,
        cpu.find() ? Proc.statChildTicks(cpu.group(1)) : -1);
  }

  private static double millis(double value, String unit) {
    switch (unit) {
      case "us":
        return value / 1000;
      case "ms":
        return value;
      case "s":
        return value * 1000;
      case "m":
        return value * 60_000;
      case "h":
        return value * 3_600_000;
      default:
        throw new IllegalArgumentException("unknown unit " + unit);
    }
  }
}
