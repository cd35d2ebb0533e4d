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

  /** The agent names the threads it starts with this prefix. */
  static final String AGENT_THREAD_PREFIX = "opsagent-";

  /**
   * The agent's libraries name theirs as they like (the SDK's batch span processor, OkHttp's and
   * Okio's), but their code runs from the agent's packages: its own and the libraries' relocated
   * ones. Only these: an application may live under {@code dev.opsagent} too (our test applications
   * do), and its worker threads are not the agent's.
   */
  private static final Pattern AGENT_FRAME =
      Pattern.compile(
          "\tat dev\\.opsagent\\.(agent|bootstrap|config|exporter|instrumentation|logging|shaded)\\.");

  /**
   * A thread's heading: {@code "name" #12 daemon prio=5 ...} (JDK 17), {@code "name" #12 [4242]
   * daemon ...} (JDK 21+). The name may hold quotes, so the match runs to the last {@code " #}.
   */
  private static final Pattern THREAD_HEADING =
      Pattern.compile("^\"(.*)\" #\\d+", Pattern.MULTILINE);

  private ThreadDump() {}

  /**
   * The names of the agent's threads in {@code dump}, in its order: those named {@code opsagent-*},
   * and those running the agent's code at the bottom of their stack (its libraries' threads).
   */
  static List<String> agentThreads(String dump) {
    List<String> names = new ArrayList<>();
    Matcher heading = THREAD_HEADING.matcher(dump);
    boolean found = heading.find();
    while (found) {
      String name = heading.group(1);
      int start = heading.end();
      found = heading.find();
      String stack = dump.substring(start, found ? heading.start() : dump.length());
      if (name.startsWith(AGENT_THREAD_PREFIX) || startsInAgentCode(stack)) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Whether the stack's outermost frame that is not the JDK's (thread and pool plumbing) is the
   * agent's: an application thread running a woven method has the application's code below it.
   */
  private static boolean startsInAgentCode(String stack) {
    String[] lines = stack.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i];
      if (!line.startsWith("\tat ")) {
        continue;
      }
      if (AGENT_FRAME.matcher(line).lookingAt()) {
        return true;
      }
      if (!line.startsWith("\tat java.") && !line.startsWith("\tat jdk.")) {
        return false;
      }
    }
    return false;
  }
}
