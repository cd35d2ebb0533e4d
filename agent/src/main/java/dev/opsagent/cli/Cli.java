/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * {@code java -jar opsagent.jar <command>}: attaches opsagent to a running JVM, detaches it, tells
 * its state, lists the JVMs of the host. It runs in the system class loader from the jar's root.
 * Every failure ends in one message naming the cause and the fix, and an exit code: 0 done or
 * nothing to do, 1 an error the user can fix, 2 a command line that does not say what to do.
 */
public final class Cli {

  /** The module of the attach API, which a JDK has and a runtime image may lack. */
  static final String ATTACH_MODULE = "jdk.attach";

  private Cli() {}

  /** Runs the command and exits the JVM with its exit code. */
  public static void main(String[] arguments) {
    System.exit(run(arguments, System.out, System.err, Cli::attachApi));
  }

  /**
   * Runs the command, printing to {@code out}, and errors to {@code err}.
   *
   * @param connector the JVMs to attach to, asked for only once the attach module is known present
   * @return the exit code
   */
  static int run(
      String[] arguments, PrintStream out, PrintStream err, Supplier<JvmConnector> connector) {
    try {
      CommandLine commandLine = CommandLine.parse(arguments);
      if (commandLine.command() == CommandLine.Command.HELP) {
        out.println(Usage.text());
        return 0;
      }
      Invocation invocation = Invocation.of(commandLine);
      requireAttachModule(invocation);
      Commands commands =
          new Commands(
              connector.get(),
              new AttachPreconditions(invocation)::check,
              invocation,
              out,
              Commands.Timing.DEFAULT);
      switch (commandLine.command()) {
        case LIST:
          return commands.list();
        case ATTACH:
          return commands.attach(commandLine.pid(), commandLine.settings());
        case DETACH:
          return commands.detach(commandLine.pid());
        case STATUS:
          return commands.status(commandLine.pid());
        default:
          throw new IllegalStateException("unhandled command " + commandLine.command());
      }
    } catch (CliException e) {
      err.println("error: " + e.getMessage());
      if (e.usageText() != null) {
        err.println(e.usageText());
      }
      return e.exitCode();
    }
  }

  /**
   * Checks that this runtime has {@code jdk.attach} before any class that names its types is
   * loaded: without it, loading one would fail with a {@code NoClassDefFoundError}.
   */
  private static void requireAttachModule(Invocation invocation) throws CliException {
    if (ModuleLayer.boot().findModule(ATTACH_MODULE).isPresent()) {
      return;
    }
    CommandLine commandLine = invocation.commandLine();
    String targetJava =
        commandLine.command().takesPid()
            ? ProcessHandle.of(commandLine.pid())
                .flatMap(process -> process.info().command())
                .filter(java -> java.endsWith("/java"))
                .orElse(null)
            : null;
    throw CliException.error(
        "this Java runtime ("
            + System.getProperty("java.home")
            + ") lacks the module "
            + ATTACH_MODULE
            + ", which attaching needs; run the command with a full JDK's java"
            + (targetJava == null
                ? ", e.g. " + invocation.again("/path/to/jdk/bin/java")
                : ", e.g. the one running JVM "
                    + commandLine.pid()
                    + ": "
                    + invocation.again(targetJava)));
  }

  private static JvmConnector attachApi() {
    return new AttachApiConnector();
  }
}
