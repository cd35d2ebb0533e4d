/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What Linux's {@code /proc} says about a process, its threads and the whole machine. */
final class Proc {

  /** Clock ticks per second of the CPU times in {@code /proc}: 100 on every Linux we run on. */
  static final long HZ = 100;

  private Proc() {}

  /** CPU time of one thread, in clock ticks, with its name as the kernel knows it (15 chars). */
  record ThreadTime(String name, long ticks) {}

  /** A process's resident set, in bytes ({@code VmRSS}), or -1 if it is gone. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** User + system CPU ticks of a process (all its threads, live and ended), -1 if it is gone. */
  static long processTicks(long pid) {
    try {
      return statTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Every live thread of a process: TID to name and CPU ticks. */
  static Map<Long, ThreadTime> threadTicks(long pid) {
    Map<Long, ThreadTime> threads = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          threads.put(
              Long.parseLong(task.getFileName().toString()),
              new ThreadTime(statName(stat), statTicks(stat)));
        } catch (IOException | RuntimeException e) {
          // The thread ended meanwhile.
        }
      }
    } catch (IOException e) {
      // The process ended.
    }
    return threads;
  }

  /**
   * Busy and total ticks of the whole machine (all cores), from the first line of {@code
   * /proc/stat}: busy is everything but idle and iowait.
   */
  static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      long idle = 0;
      // user nice system idle iowait irq softirq steal (guest time is already in user).
      for (int i = 1; i <= 8 && i < fields.length; i++) {
        long value = Long.parseLong(fields[i]);
        total += value;
        if (i == 4 || i == 5) {
          idle += value;
        }
      }
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** The 1-minute load average. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The process's own PID. */
  static long self() {
    return ProcessHandle.current().pid();
  }

  /** User + system ticks from a {@code stat} line (fields 14 and 15). */
  static long statTicks(String stat) {
    String[] fields = afterName(stat);
    // fields[0] is field 3 (state): utime is field 14, stime 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** Children's user + system ticks from a {@code stat} line (fields 16 and 17). */
  static long statChildTicks(String stat) {
    String[] fields = afterName(stat);
    return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
  }

  /** The name between the parentheses; it may itself hold spaces and parentheses. */
  static String statName(String stat) {
    return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  }

  private static String[] afterName(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
  }

  /** Kernel thread names (15 characters at most) that belong to one of the two agents. */
  private static final List<String> AGENT_PREFIXES =
      List.of(
          "opsagent-",
          "BatchSpanProces",
          "BatchLogRecordP",
          "PeriodicMetricR",
          "OkHttp",
          "Okio Watchdog",
          "otel-",
          "weak-ref-cleane",
          "JdkHttpClient",
          "HttpClient-");

  /** Which part of the process a thread belongs to, by its kernel name. */
  static String category(String name) {
    for (String prefix : AGENT_PREFIXES) {
      if (name.startsWith(prefix)) {
        return "agent";
      }
    }
    if (name.startsWith("app-") || name.startsWith("HTTP-Dispatcher")) {
      return "app";
    }
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (name.startsWith("GC Thread")
        || name.startsWith("G1 ")
        || name.startsWith("VM Thread")
        || name.startsWith("VM Periodic")) {
      return "gc+vm";
    }
    return "other";
  }
}
