/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a JVM's thread dump ({@code jcmd <pid> Thread.print}). */
final class ThreadDump {

  /** Every thread agent code starts has a name with this prefix. */
  static final String AGENT_THREAD_PREFIX = "opsagent-";

  /**
   * A thread's heading: {@code "name" #12 daemon prio=5 ...} (JDK 17), {@code "name" #12 [4242]
   * daemon ...} (JDK 21+). The name may hold quotes, so the match runs to the last {@code " #}.
   */
  private static final Pattern THREAD_HEADING =
      Pattern.compile("^\"(.*)\" #\\d+", Pattern.MULTILINE);

  private ThreadDump() {}

  /** The names of the agent's threads ({@code opsagent-*}) in {@code dump}, in its order. */
  static List<String> agentThreads(String dump) {
    List<String> names = new ArrayList<>();
    Matcher heading = THREAD_HEADING.matcher(dump);
    while (heading.find()) {
      String name = heading.group(1);
      if (name.startsWith(AGENT_THREAD_PREFIX)) {
        names.add(name);
      }
    }
    return names;
  }
}
