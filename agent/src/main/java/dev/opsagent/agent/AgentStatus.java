/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.exporter.AgentVersion;
import java.time.Instant;

/**
 * The agent's state, published in system properties of the JVM it runs in: {@code java -jar
 * opsagent.jar status|list|attach|detach} reads them through the attach mechanism, without loading
 * anything into the JVM. They stay after a detach, saying what the detach did.
 */
final class AgentStatus {

  static final String VERSION = "dev.opsagent.version";

  /** {@code starting}, {@code active}, {@code detaching}, {@code detached} or {@code failed}. */
  static final String STATE = "dev.opsagent.state";

  /** {@code javaagent} (the JVM's command line) or {@code attach}. */
  static final String LOADED = "dev.opsagent.loaded";

  /** When the state last changed, ISO-8601. */
  static final String SINCE = "dev.opsagent.since";

  /** One line: the start-up line, what detaching did, or why the agent failed. */
  static final String SUMMARY = "dev.opsagent.summary";

  private final String loaded;

  AgentStatus(boolean attached) {
    this.loaded = attached ? "attach" : "javaagent";
  }

  void publish(String state, String summary) {
    try {
      System.setProperty(VERSION, AgentVersion.get());
      System.setProperty(LOADED, loaded);
      System.setProperty(SUMMARY, summary);
      System.setProperty(SINCE, Instant.now().toString());
      System.setProperty(STATE, state);
    } catch (SecurityException e) {
      // A security manager that forbids it: the command line cannot tell the state, nothing else.
    }
  }
}
