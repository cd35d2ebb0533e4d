/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.exporter.TelemetryHolder;
import java.lang.instrument.Instrumentation;

/**
 * Starts the agent inside its own class loader. On the JVM's start-up path it only starts a thread,
 * which runs the {@link StartupTask}: the application waits for none of the agent's set-up. No
 * class that initialises a logger runs here, since the logging facade looks for its provider as it
 * loads (25-40 ms).
 */
public final class AgentStarter {

  private AgentStarter() {}

  /**
   * @param agentArguments {@code key=value,...} from the command line, or {@code null}
   * @param attached whether the agent was loaded into a running JVM rather than at its start
   * @param startNanos when the JVM handed control to the agent
   * @return the running agent; closing it detaches the agent
   */
  public static AutoCloseable start(
      String agentArguments, Instrumentation instrumentation, boolean attached, long startNanos) {
    AgentStatus status = new AgentStatus(attached);
    status.starting();
    RunningAgent agent = new RunningAgent(new TelemetryHolder(), status, attached);
    long premainNanos = System.nanoTime() - startNanos;
    agent.init =
        startThread(
            "opsagent-init",
            new StartupTask(agentArguments, instrumentation, agent, startNanos, premainNanos));
    return agent;
  }

  static Thread startThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.setContextClassLoader(AgentStarter.class.getClassLoader());
    thread.start();
    return thread;
  }
}
