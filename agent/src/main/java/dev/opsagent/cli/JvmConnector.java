/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.List;

/**
 * The JVMs of this host as the attach API sees them. An interface without the attach API's types,
 * so that the command line loads them only once it knows this runtime has them ({@link
 * AttachApiConnector}), and tests can stand in for a JVM.
 */
interface JvmConnector {

  /** The JVMs that publish themselves for attaching ({@code VirtualMachine.list()}). */
  List<ListedJvm> list() throws AttachFailure;

  /** Attaches to JVM {@code pid}; the caller closes the connection. */
  JvmConnection attach(long pid) throws AttachFailure;

  /** A JVM of {@link #list()}: its PID and the command that started it, as the JVM tells. */
  final class ListedJvm {
    private final long pid;
    private final String displayName;

    ListedJvm(long pid, String displayName) {
      this.pid = pid;
      this.displayName = displayName;
    }

    long pid() {
      return pid;
    }

    /** The main class or jar and the program's arguments; the PID when the JVM does not tell. */
    String displayName() {
      return displayName;
    }
  }
}
