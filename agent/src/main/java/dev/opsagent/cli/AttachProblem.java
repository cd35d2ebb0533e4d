/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.Locale;

/**
 * Why the attach API failed, told from its exceptions, whose messages are often obscure ({@code
 * Unable to open socket file}, {@code No such process}): each kind says what happened and what to
 * do in words a user can act on, and, for {@code list}, in two words.
 */
enum AttachProblem {
  ATTACH_DISABLED("attach disabled") {
    @Override
    String message(String jvm, String agentJar) {
      return refusesAgents(
          jvm, "-XX:+DisableAttachMechanism", agentJar, "without -XX:+DisableAttachMechanism");
    }
  },
  DYNAMIC_AGENTS_FORBIDDEN("agents forbidden") {
    @Override
    String message(String jvm, String agentJar) {
      return refusesAgents(
          jvm,
          TargetJvm.DISABLE_DYNAMIC_AGENT_LOADING,
          agentJar,
          "with " + TargetJvm.ENABLE_DYNAMIC_AGENT_LOADING);
    }
  },
  NOT_PERMITTED("other user") {
    @Override
    String message(String jvm, String agentJar) {
      return jvm
          + " refused this user: the attach mechanism accepts only the user that runs the JVM (or"
          + " root); run this command as that user";
    }
  },
  GONE("exited") {
    @Override
    String message(String jvm, String agentJar) {
      return jvm + " exited while this command was talking to it";
    }
  },
  NO_ANSWER("no answer") {
    @Override
    String message(String jvm, String agentJar) {
      return jvm
          + " did not answer the attach request: it may be starting, stopping or stopped (SIGSTOP,"
          + " a debugger), or run in another container, whose /tmp this command does not see; try"
          + " again, or run this command inside that container";
    }
  },
  AGENT_FAILED("agent failed") {
    @Override
    String message(String jvm, String agentJar) {
      return "opsagent failed to initialise in "
          + jvm
          + "; the JVM's standard error says why, and the application runs on without it";
    }
  },
  AGENT_NOT_LOADED("agent not loaded") {
    @Override
    String message(String jvm, String agentJar) {
      return jvm
          + " could not load "
          + agentJar
          + " as an agent: check that the JVM's user can read that file";
    }
  },
  OTHER("attach failed") {
    @Override
    String message(String jvm, String agentJar) {
      return "attaching to " + jvm + " failed";
    }
  };

  private final String brief;

  AttachProblem(String brief) {
    this.brief = brief;
  }

  /** Two words for the {@code ?} of {@code list}, e.g. {@code attach disabled}. */
  String brief() {
    return brief;
  }

  /**
   * What happened and the fix, without the cause (which the caller adds).
   *
   * @param jvm the JVM as {@link TargetJvm#name()} says it, or {@code JVM <pid>}
   * @param agentJar the agent jar's path, for the {@code -javaagent:} in a fix
   */
  abstract String message(String jvm, String agentJar);

  /**
   * A JVM whose option {@code option} refuses agents: restart it with one, or {@code orRestart}.
   */
  private static String refusesAgents(
      String jvm, String option, String agentJar, String orRestart) {
    return jvm
        + " was started with "
        + option
        + ", so it accepts no agent while it runs; restart it with -javaagent:"
        + agentJar
        + ", or "
        + orRestart
        + " to attach later";
  }

  /**
   * Tells the problem from an exception of the attach API (its simple class name and message) or
   * the I/O beneath it.
   */
  static AttachProblem of(Throwable failure) {
    String type = failure.getClass().getSimpleName();
    String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
    if (message.contains("does not support the attach mechanism")) {
      return ATTACH_DISABLED;
    }
    if (message.contains("dynamic agent loading is not enabled")) {
      return DYNAMIC_AGENTS_FORBIDDEN;
    }
    if (message.contains("should be owned by the current user")
        || message.contains("operation not permitted")
        || message.contains("permission denied")) {
      return NOT_PERMITTED;
    }
    if (message.contains("no such process")) {
      return GONE;
    }
    if (message.contains("unable to open socket file")
        || message.contains("doesn't respond")
        || message.contains("timed out")
        || message.contains("connection refused")) {
      return NO_ANSWER;
    }
    if (type.equals("AgentInitializationException")) {
      return AGENT_FAILED;
    }
    if (type.equals("AgentLoadException")) {
      return AGENT_NOT_LOADED;
    }
    return OTHER;
  }
}
