/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

/**
 * A failure of the attach API, carried out of {@link AttachApiConnector} without its exception
 * types (which only a JDK with {@code jdk.attach} has), and told as an {@link AttachProblem}.
 */
final class AttachFailure extends Exception {

  private static final long serialVersionUID = 1L;

  AttachFailure(Throwable cause) {
    super(cause.getMessage(), cause);
  }

  AttachProblem problem() {
    return AttachProblem.of(getCause());
  }

  /** The user's message: what happened in {@code jvm}, the fix, and the original as the cause. */
  CliException toCliException(String jvm, String agentJar) {
    return CliException.error(problem().message(jvm, agentJar), getCause());
  }
}
