/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import dev.opsagent.cli.HostProcess.JvmEvidence;

/**
 * What must hold before this command attaches to a PID, checked without touching the process: an
 * attach attempt signals it (SIGQUIT, which ends most programs that are not JVMs) and waits up to
 * 10 s for an answer, and the JVM refuses other users anyway.
 */
final class AttachPreconditions {

  private final Invocation invocation;

  AttachPreconditions(Invocation invocation) {
    this.invocation = invocation;
  }

  /**
   * Checks that {@code pid} is a JVM this user may attach to.
   *
   * @return the JVM for messages, {@code JVM 4242 (com.example.Server)}
   * @throws CliException naming what does not hold and what to do
   */
  String check(long pid) throws CliException {
    HostProcess process =
        HostProcess.of(pid)
            .orElseThrow(
                () ->
                    CliException.error(
                        "no process with PID "
                            + pid
                            + " on this host; "
                            + listHint()
                            + " shows the JVMs this command can attach to"));
    if (process.isCurrent()) {
      throw CliException.error("PID " + pid + " is this command's own JVM; " + listHint());
    }
    String jvm = "JVM " + pid + " (" + process.mainFromCommandLine() + ")";
    if (process.ownedByAnotherUser()) {
      String owner = process.owner();
      throw CliException.error(
          jvm
              + " runs as user "
              + owner
              + " and this command as "
              + HostProcess.currentUser()
              + ", but a JVM accepts an attach only from its own user (or root); run the command as"
              + " that user: sudo -u "
              + owner
              + " "
              + invocation.again(Invocation.currentJava()));
    }
    JvmEvidence evidence = process.jvmEvidence();
    if (evidence == JvmEvidence.NOT_A_JVM
        || (evidence == JvmEvidence.UNKNOWN && !HostProcess.perfDataPids().contains(pid))) {
      throw CliException.error(
          "process "
              + pid
              + " ("
              + process.programName()
              + ") is not a JVM"
              + (evidence == JvmEvidence.NOT_A_JVM
                  ? " (no JVM library in its memory)"
                  : " that this command can see (none in its temporary folder)")
              + "; "
              + listHint()
              + " shows the JVMs on this host");
    }
    return jvm;
  }

  private String listHint() {
    return "'" + invocation.suggest("list") + "'";
  }
}
