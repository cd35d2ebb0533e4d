/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.Objects;
import java.util.Properties;

/**
 * What opsagent publishes about itself in the system properties of the JVM it runs in, which the
 * attach API reads from outside: {@code dev.opsagent.version}, {@code .state}, {@code .loaded}
 * ({@code javaagent} or {@code attach}), {@code .since} (an ISO-8601 instant) and {@code .summary}
 * (one human line: the start-up line, what detach did, or why it failed). The agent publishes them
 * with these names (compile-time constants: the agent's class loader never loads this class).
 */
public final class AgentState {

  public static final String VERSION = "dev.opsagent.version";
  public static final String STATE = "dev.opsagent.state";
  public static final String LOADED = "dev.opsagent.loaded";
  public static final String SINCE = "dev.opsagent.since";
  public static final String SUMMARY = "dev.opsagent.summary";

  public static final String STARTING = "starting";
  public static final String ACTIVE = "active";
  public static final String DETACHING = "detaching";
  public static final String DETACHED = "detached";
  public static final String FAILED = "failed";

  private final String version;
  private final String state;
  private final String loaded;
  private final String since;
  private final String summary;

  private AgentState(Properties properties) {
    this.version = properties.getProperty(VERSION);
    this.state = properties.getProperty(STATE);
    this.loaded = properties.getProperty(LOADED);
    this.since = properties.getProperty(SINCE);
    this.summary = properties.getProperty(SUMMARY);
  }

  /** The state published in a JVM's system properties; {@link #isLoaded()} false if none. */
  static AgentState of(Properties systemProperties) {
    return new AgentState(systemProperties);
  }

  /** Whether opsagent was ever loaded into that JVM (and published its state). */
  boolean isLoaded() {
    return state != null;
  }

  /** Whether opsagent is starting or active: attaching again has nothing to do. */
  boolean isRunning() {
    return STARTING.equals(state) || ACTIVE.equals(state);
  }

  boolean is(String expected) {
    return expected.equals(state);
  }

  /** Whether the agent reached an end of {@code attach}: active, or failed. */
  boolean hasStartedOrFailed() {
    return ACTIVE.equals(state) || FAILED.equals(state);
  }

  /**
   * Whether this is a later report than {@code earlier}: another state, or the same state entered
   * again (a failed start after a failed start).
   */
  boolean changedSince(AgentState earlier) {
    return !Objects.equals(state, earlier.state) || !Objects.equals(since, earlier.since);
  }

  String version() {
    return orUnknown(version);
  }

  String state() {
    return orUnknown(state);
  }

  String loaded() {
    return orUnknown(loaded);
  }

  String since() {
    return orUnknown(since);
  }

  /** The agent's one line; empty if it published none. */
  String summary() {
    return summary == null ? "" : summary;
  }

  /** {@code 0.1.0 active (attach)}: the agent's cell in {@code list}, {@code -} if not loaded. */
  String brief() {
    return isLoaded() ? version() + " " + state() + " (" + loaded() + ")" : "-";
  }

  /** {@code opsagent 0.1.0 (attach, active since 2026-...)}: the agent in a sentence. */
  String describe() {
    return "opsagent " + version() + " (" + loaded() + ", " + state() + " since " + since() + ")";
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? "?" : value;
  }
}
