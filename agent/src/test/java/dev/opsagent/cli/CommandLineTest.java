/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsagent.cli.CommandLine.Command;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void noArgumentsAndHelpAskForTheUsageText() throws Exception {
    assertThat(CommandLine.parse().command()).isEqualTo(Command.HELP);
    assertThat(CommandLine.parse("help").command()).isEqualTo(Command.HELP);
    assertThat(CommandLine.parse("--help").command()).isEqualTo(Command.HELP);
    assertThat(CommandLine.parse("-h").command()).isEqualTo(Command.HELP);
  }

  @Test
  void attachTakesAPidAndSettingsWhoseValuesMayHoldCommasAndEquals() throws Exception {
    CommandLine commandLine =
        CommandLine.parse(
            "attach", "4242", "otel.service.name=orders", "opsagent.capture.redact=a,b=c");

    assertThat(commandLine.command()).isEqualTo(Command.ATTACH);
    assertThat(commandLine.pid()).isEqualTo(4242);
    assertThat(commandLine.settings())
        .containsExactly("otel.service.name=orders", "opsagent.capture.redact=a,b=c");
    assertThat(commandLine.arguments()).hasSize(4).startsWith("attach", "4242");
  }

  @Test
  void detachStatusAndListTakeWhatTheySay() throws Exception {
    assertThat(CommandLine.parse("detach", "7").pid()).isEqualTo(7);
    assertThat(CommandLine.parse("STATUS", "7").command()).isEqualTo(Command.STATUS);
    assertThat(CommandLine.parse("list").command()).isEqualTo(Command.LIST);
  }

  @Test
  void anUnknownCommandIsAUsageErrorFollowedByTheUsageText() {
    assertThatThrownBy(() -> CommandLine.parse("attack", "1"))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(CliException.USAGE);
              assertThat(e.getMessage()).isEqualTo("unknown command 'attack'");
              assertThat(e.usageText()).contains("java -jar opsagent.jar attach <pid>");
            });
  }

  @Test
  void aSettingWithoutEqualsOrWithoutKeyIsAUsageErrorNamingIt() {
    assertUsageError(
        "'otel.service.name' is not a key=value setting (for example otel.service.name=orders)",
        "attach",
        "1",
        "a=b",
        "otel.service.name");
    assertUsageError(
        "'=orders' is not a key=value setting (for example otel.service.name=orders)",
        "attach",
        "1",
        "=orders");
    assertUsageError(
        "' =x' is not a key=value setting (for example otel.service.name=orders)",
        "attach",
        "1",
        " =x");
  }

  @Test
  void aMissingOrMalformedPidIsAUsageError() {
    assertUsageError("'status' needs the PID of a JVM", "status");
    assertUsageError("'abc' is not a process ID (a positive number)", "detach", "abc");
    assertUsageError("'-5' is not a process ID (a positive number)", "attach", "-5");
    assertUsageError("'detach' takes only a PID, not 'x=y'", "detach", "5", "x=y");
    assertUsageError("'list' takes no arguments", "list", "5");
  }

  private static void assertUsageError(String message, String... arguments) {
    assertThatThrownBy(() -> CommandLine.parse(arguments))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(CliException.USAGE);
              assertThat(e.getMessage()).isEqualTo(message);
              assertThat(e.usageText()).startsWith("Usage: java -jar opsagent.jar ");
            });
  }
}
