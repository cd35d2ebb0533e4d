/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line's exit codes and where it prints what. */
class CliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void noArgumentsAndHelpPrintTheUsageAndSucceed() {
    assertThat(run()).isZero();
    assertThat(run("help")).isZero();

    assertThat(out.toString(UTF_8))
        .contains("java -javaagent:/path/to/opsagent.jar -jar app.jar")
        .contains("java -jar opsagent.jar attach <pid> [key=value ...]")
        .contains("java -jar opsagent.jar detach <pid>")
        .contains("java -jar opsagent.jar status <pid>")
        .contains("java -jar opsagent.jar list");
    assertThat(err.toString(UTF_8)).isEmpty();
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    assertThat(run("attack", "1")).isEqualTo(2);

    assertThat(err.toString(UTF_8))
        .startsWith("error: unknown command 'attack'" + System.lineSeparator() + "opsagent ")
        .contains("Exit codes:");
    assertThat(out.toString(UTF_8)).isEmpty();
  }

  @Test
  void aBadSettingIsAUsageErrorNamingIt() {
    assertThat(run("attach", "1", "novalue")).isEqualTo(2);

    assertThat(err.toString(UTF_8))
        .isEqualTo(
            "error: 'novalue' is not a key=value setting (for example otel.service.name=orders)"
                + System.lineSeparator()
                + "Usage: java -jar opsagent.jar attach <pid> [key=value ...]"
                + System.lineSeparator());
  }

  @Test
  void aPidWithoutProcessIsAnErrorBeforeAnyAttach() {
    long pid = ProcessHandle.current().pid() + 4_000_000;

    assertThat(run("status", Long.toString(pid))).isEqualTo(1);

    assertThat(err.toString(UTF_8))
        .startsWith("error: no process with PID " + pid + " on this host; 'java -jar ");
  }

  private int run(String... arguments) {
    return Cli.run(
        arguments,
        new PrintStream(out, true, UTF_8),
        new PrintStream(err, true, UTF_8),
        () ->
            new JvmConnector() {
              @Override
              public List<ListedJvm> list() {
                throw new AssertionError("no list expected");
              }

              @Override
              public JvmConnection attach(long pid) {
                throw new AssertionError("no attach expected");
              }
            });
  }
}
