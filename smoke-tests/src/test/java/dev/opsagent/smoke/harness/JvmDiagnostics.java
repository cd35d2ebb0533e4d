/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code jcmd} tells about a running JVM: its threads, and what its heap holds. */
public final class JvmDiagnostics {

  private static final Duration POLL = Duration.ofMillis(500);

  /** A frame of the agent's code: the smoke tests' own applications share its package prefix. */
  private static final Pattern AGENT_FRAME =
      Pattern.compile("\\tat dev\\.opsagent\\.(?!smoke\\.|servers\\.)");

  /** The class histogram's last line: {@code Total <instances> <bytes>}. */
  private static final Pattern HISTOGRAM_TOTAL =
      Pattern.compile("^Total\\s+\\d+\\s+(\\d+)\\s*$", Pattern.MULTILINE);

  private JvmDiagnostics() {}

  /**
   * Runs full GCs through {@code jcmd GC.class_histogram} until no instance of a class whose name
   * matches {@code classNameRegex} is left, or {@code timeout} passed.
   *
   * @return the instances left
   */
  public static long instancesAfterFullGc(
      Jdk jdk, long pid, String classNameRegex, Duration timeout)
      throws IOException, InterruptedException {
    Pattern instances =
        Pattern.compile(
            "^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + classNameRegex + "(\\s|$)", Pattern.MULTILINE);
    long deadline = System.nanoTime() + timeout.toNanos();
    long left;
    do {
      left = 0;
      Matcher matcher = instances.matcher(jcmd(jdk, pid, "GC.class_histogram"));
      while (matcher.find()) {
        left += Long.parseLong(matcher.group(1));
      }
      if (left > 0) {
        Thread.sleep(POLL.toMillis());
      }
    } while (left > 0 && System.nanoTime() < deadline);
    return left;
  }

  /**
   * The bytes that live objects take in the JVM's heap, after a full GC: what {@code jcmd
   * GC.class_histogram} totals, whichever collector the JVM runs.
   */
  public static long liveHeapBytes(Jdk jdk, long pid) throws IOException, InterruptedException {
    String histogram = jcmd(jdk, pid, "GC.class_histogram");
    Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
    if (!total.find()) {
      throw new IllegalStateException("no total in jcmd's class histogram:\n" + histogram);
    }
    return Long.parseLong(total.group(1));
  }

  /**
   * Waits until no thread of the JVM is the agent's: named {@code opsagent-...}, or running code of
   * the agent's (a frame in {@code dev.opsagent.}, but for the test applications' {@code
   * dev.opsagent.smoke.} and {@code dev.opsagent.servers.}), as {@code jcmd Thread.print} shows
   * them.
   *
   * @return the agent's threads still running after {@code timeout}, as printed
   */
  public static List<String> awaitNoAgentThreads(Jdk jdk, long pid, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> left = agentThreads(jcmd(jdk, pid, "Thread.print"));
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL.toMillis());
      left = agentThreads(jcmd(jdk, pid, "Thread.print"));
    }
    return left;
  }

  private static List<String> agentThreads(String threadDump) {
    List<String> threads = new ArrayList<>();
    for (String thread : threadDump.split("\n\\s*\n")) {
      String trimmed = thread.strip();
      if (trimmed.startsWith("\"opsagent-") || AGENT_FRAME.matcher(trimmed).find()) {
        threads.add(trimmed);
      }
    }
    return threads;
  }

  private static String jcmd(Jdk jdk, long pid, String command)
      throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(jdk.home().resolve("bin/jcmd").toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor();
    return output;
  }
}
