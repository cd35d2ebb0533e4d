/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code java -jar opsagent.jar ...} was asked to do: a command, the PID it concerns and, for
 * {@code attach}, the agent's settings. Parsing checks the form only; whether the PID is a JVM this
 * user may attach to is for {@link AttachPreconditions}.
 */
final class CommandLine {

  /** The commands, with the synopsis that the usage text and usage errors show. */
  enum Command {
    HELP("help", ""),
    LIST("list", ""),
    ATTACH("attach", "<pid> [key=value ...]"),
    DETACH("detach", "<pid>"),
    STATUS("status", "<pid>");

    private final String word;
    private final String operands;

    Command(String word, String operands) {
      this.word = word;
      this.operands = operands;
    }

    /** The command's word on the command line, e.g. {@code attach}. */
    String word() {
      return word;
    }

    /** {@code java -jar opsagent.jar attach <pid> [key=value ...]}. */
    String synopsis() {
      return ("java -jar opsagent.jar " + word + " " + operands).trim();
    }

    boolean takesPid() {
      return !operands.isEmpty();
    }
  }

  private final Command command;
  private final long pid;
  private final List<String> settings;
  private final List<String> arguments;

  private CommandLine(Command command, long pid, List<String> settings, List<String> arguments) {
    this.command = command;
    this.pid = pid;
    this.settings = settings;
    this.arguments = arguments;
  }

  /**
   * Parses the arguments of {@code main}. No arguments, {@code help}, {@code -h} and {@code --help}
   * ask for the usage text.
   *
   * @throws CliException a usage error (exit code 2) naming what is wrong
   */
  static CommandLine parse(String... arguments) throws CliException {
    List<String> all = List.copyOf(Arrays.asList(arguments));
    if (all.isEmpty()) {
      return new CommandLine(Command.HELP, 0, List.of(), all);
    }
    Command command = command(all.get(0));
    List<String> operands = all.subList(1, all.size());
    if (!command.takesPid()) {
      if (!operands.isEmpty()) {
        throw usageError(command, "'" + command.word() + "' takes no arguments");
      }
      return new CommandLine(command, 0, List.of(), all);
    }
    if (operands.isEmpty()) {
      throw usageError(command, "'" + command.word() + "' needs the PID of a JVM");
    }
    long pid = pid(command, operands.get(0));
    List<String> settings = operands.subList(1, operands.size());
    if (command != Command.ATTACH && !settings.isEmpty()) {
      throw usageError(
          command, "'" + command.word() + "' takes only a PID, not '" + settings.get(0) + "'");
    }
    for (String setting : settings) {
      int equals = setting.indexOf('=');
      if (equals <= 0 || setting.substring(0, equals).isBlank()) {
        throw usageError(
            command,
            "'" + setting + "' is not a key=value setting (for example otel.service.name=orders)");
      }
    }
    return new CommandLine(command, pid, List.copyOf(settings), all);
  }

  Command command() {
    return command;
  }

  /** The target JVM's PID; only for the commands that take one. */
  long pid() {
    return pid;
  }

  /** The {@code key=value} settings of {@code attach}, in the order given. */
  List<String> settings() {
    return settings;
  }

  /** The arguments as given, to repeat the command in a hint. */
  List<String> arguments() {
    return arguments;
  }

  private static Command command(String word) throws CliException {
    String normalised = word.toLowerCase(Locale.ROOT);
    if (normalised.equals("-h") || normalised.equals("--help")) {
      return Command.HELP;
    }
    for (Command command : Command.values()) {
      if (command.word().equals(normalised)) {
        return command;
      }
    }
    throw CliException.usage("unknown command '" + word + "'", Usage.text());
  }

  private static long pid(Command command, String operand) throws CliException {
    try {
      long pid = Long.parseLong(operand);
      if (pid > 0) {
        return pid;
      }
    } catch (NumberFormatException e) {
      // Reported below, with the command's synopsis.
    }
    throw usageError(command, "'" + operand + "' is not a process ID (a positive number)");
  }

  private static CliException usageError(Command command, String problem) {
    return CliException.usage(problem, "Usage: " + command.synopsis());
  }
}
