/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.cli.AgentState;
import dev.opsagent.exporter.AgentVersion;
import java.time.Instant;

/**
 * The agent's state, published in system properties of the JVM it runs in ({@link AgentState} names
 * them): {@code java -jar opsagent.jar status|list|attach|detach} reads them through the attach
 * mechanism, without loading anything into the JVM. They stay after a detach, saying what the
 * detach did.
 */
final class AgentStatus {

  private final String loaded;

  AgentStatus(boolean attached) {
    this.loaded = attached ? "attach" : "javaagent";
  }

  /**
   * Says that the agent is starting: only the state, and how the agent was loaded, since this runs
   * on the JVM's start-up path (the rest follows from the start-up thread).
   */
  void starting() {
    try {
      System.setProperty(AgentState.LOADED, loaded);
      System.setProperty(AgentState.STATE, AgentState.STARTING);
    } catch (SecurityException e) {
      // As in publish.
    }
  }

  /**
   * @param state one of {@link AgentState}'s states
   */
  void publish(String state, String summary) {
    try {
      System.setProperty(AgentState.VERSION, AgentVersion.get());
      System.setProperty(AgentState.LOADED, loaded);
      System.setProperty(AgentState.SUMMARY, summary);
      System.setProperty(AgentState.SINCE, Instant.now().toString());
      System.setProperty(AgentState.STATE, state);
    } catch (SecurityException e) {
      // A security manager that forbids it: the command line cannot tell the state, nothing else.
    }
  }
}
