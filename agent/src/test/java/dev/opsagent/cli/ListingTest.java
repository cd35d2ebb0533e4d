/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The text that {@code list} and {@code status} read and write. */
class ListingTest {

  @Test
  void theTableAlignsColumnsToTheirWidestCell() {
    JvmTable table = new JvmTable();
    table.add(12345, "17.0.15", "0.1.0 active (attach)", "com.example.Server");
    table.add(12377, "25.0.3", "-", "app.jar");
    table.add(9, "?", "? (attach disabled)", "Batch");

    assertThat(table.render())
        .isEqualTo(
            "PID     JAVA      OPSAGENT                MAIN\n"
                + "12345   17.0.15   0.1.0 active (attach)   com.example.Server\n"
                + "12377   25.0.3    -                       app.jar\n"
                + "9       ?         ? (attach disabled)     Batch\n");
  }

  @Test
  void agentThreadsAreReadFromThreadDumpsOfJdk17AndJdk21Plus() {
    String dump =
        "2026-11-22 18:42:35\n"
            + "Full thread dump OpenJDK 64-Bit Server VM (17.0.15+6 mixed mode):\n\n"
            + "\"main\" #1 prio=5 os_prio=0 cpu=52.11ms elapsed=3.02s tid=0x1 nid=0x2 waiting\n"
            + "   java.lang.Thread.State: TIMED_WAITING (sleeping)\n\n"
            + "\"opsagent-exporter\" #23 daemon prio=5 os_prio=0 cpu=1.2ms tid=0x3 nid=0x4\n"
            + "\"opsagent-weaver \"x\"\" #24 [6155] daemon prio=5 os_prio=0 cpu=0.2ms\n"
            + "\"app-opsagent-lookalike\" #25 prio=5\n"
            + "\"Okio Watchdog\" #26 daemon prio=5\n"
            + "   java.lang.Thread.State: TIMED_WAITING (parking)\n"
            + "\tat jdk.internal.misc.Unsafe.park(java.base@17.0.15/Native Method)\n"
            + "\tat dev.opsagent.shaded.okio.AsyncTimeout$Watchdog.run(AsyncTimeout.kt:211)\n\n"
            + "\"app-worker-1\" #27 prio=5\n"
            + "\tat dev.opsagent.instrumentation.http.HttpServerRecorder.onEnter(Unknown Source)\n"
            + "\tat sun.net.httpserver.ServerImpl$Exchange.run(ServerImpl.java:786)\n"
            + "\tat com.example.App.lambda$main$0(App.java:12)\n"
            + "\tat java.lang.Thread.run(java.base@17.0.15/Thread.java:840)\n\n"
            + "\"app-worker-2\" #28 prio=5\n"
            + "\tat dev.opsagent.smoke.apps.JdkHttpServerApp.spin(JdkHttpServerApp.java:90)\n"
            + "\tat java.util.concurrent.ThreadPoolExecutor$Worker.run(java.base@17.0.15/X.java:1)\n"
            + "\tat java.lang.Thread.run(java.base@17.0.15/Thread.java:840)\n\n"
            + "\"VM Thread\" os_prio=0 cpu=1.84ms elapsed=3.01s tid=0x5 nid=0x6 runnable\n";

    assertThat(ThreadDump.agentThreads(dump))
        .containsExactly("opsagent-exporter", "opsagent-weaver \"x\"", "Okio Watchdog");
    assertThat(ThreadDump.agentThreads("\"main\" #1 prio=5\n")).isEmpty();
  }

  @Test
  void theMainClassOrJarOfAJavaCommandLine() {
    assertThat(
            HostProcess.mainFromCommandLine(
                List.of("java", "-Xmx1g", "-cp", "a.jar:b.jar", "com.example.Main", "--port=1")))
        .isEqualTo("com.example.Main");
    assertThat(HostProcess.mainFromCommandLine(List.of("/usr/bin/java", "-jar", "app.jar", "x")))
        .isEqualTo("app.jar");
    assertThat(
            HostProcess.mainFromCommandLine(
                List.of("java", "--module-path", "mods", "-m", "shop/com.shop.Main")))
        .isEqualTo("com.shop.Main");
    assertThat(HostProcess.mainFromCommandLine(List.of("java", "@argfile"))).isEqualTo("?");
    assertThat(HostProcess.mainFromCommandLine(List.of())).isEqualTo("?");
  }

  @Test
  void suggestedCommandsQuoteWhatTheShellWouldSplit() {
    Invocation invocation =
        new Invocation(
            "/opt/ops agent/opsagent.jar",
            parse("attach", "42", "otel.service.name=orders", "otel.resource.attributes=a=b c"));

    assertThat(invocation.suggest("list"))
        .isEqualTo("java -jar '/opt/ops agent/opsagent.jar' list");
    assertThat(invocation.again("/jdk/bin/java"))
        .isEqualTo(
            "/jdk/bin/java -jar '/opt/ops agent/opsagent.jar' attach 42 otel.service.name=orders"
                + " 'otel.resource.attributes=a=b c'");
    assertThat(Invocation.quoted("it's")).isEqualTo("'it'\\''s'");
  }

  private static CommandLine parse(String... arguments) {
    try {
      return CommandLine.parse(arguments);
    } catch (CliException e) {
      throw new AssertionError(e);
    }
  }
}
