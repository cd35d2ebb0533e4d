/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rule that keeps the agent out of the JDK's tools, on the values those tools' JVMs really have
 * ({@code jdk.module.main}, {@code sun.java.command}; the same on JDK 17 and 25).
 */
class JdkToolsTest {

  /**
   * The test JVM's boot layer, plus the tool modules that a class-path application's boot layer
   * lacks (a tool's own JVM has its module as the main module).
   */
  private static final Configuration MODULES =
      ModuleLayer.boot()
          .configuration()
          .resolve(
              ModuleFinder.of(),
              ModuleFinder.ofSystem(),
              Set.of("jdk.jcmd", "jdk.jshell", "jdk.jartool", "jdk.compiler", "jdk.httpserver"));

  @TempDir static Path tempDir;
  private static File agentJar;

  @BeforeAll
  static void createAgentJar() throws IOException {
    agentJar = Files.createFile(tempDir.resolve("opsagent.jar")).toFile();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "jcmd      | jdk.jcmd     | jdk.jcmd/sun.tools.jcmd.JCmd -l",
        "jps       | jdk.jcmd     | jdk.jcmd/sun.tools.jps.Jps",
        "jstack    | jdk.jcmd     | jdk.jcmd/sun.tools.jstack.JStack 4242",
        "keytool   | java.base    | java.base/sun.security.tools.keytool.Main -help",
        "javac     | jdk.compiler | jdk.compiler/com.sun.tools.javac.Main -version",
        "jar       | jdk.jartool  | jdk.jartool/sun.tools.jar.Main --version",
        "jshell    | jdk.jshell   | jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider",
        "jwebserver| jdk.httpserver | jdk.httpserver/sun.net.httpserver.simpleserver.JWebServer -p 8000",
      })
  void theJdkLaunchersToolsAreTools(String tool, String mainModule, String command) {
    assertThat(JdkTools.notForTheAgent(MODULES, mainModule, command, "", agentJar))
        .as(tool)
        .isEqualTo("the JDK tool " + command.split(" ")[0]);
  }

  @Test
  void aJdkModuleRunWithoutAClassIsATool() {
    assertThat(JdkTools.notForTheAgent(MODULES, "jdk.httpserver", "jdk.httpserver -h", "", null))
        .isEqualTo("the JDK tool jdk.httpserver");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "com.sun.tools.javac.Main -version",
        "sun.tools.jar.Main --version",
        "sun.security.tools.keytool.Main -list",
      })
  void aJdkToolsMainClassOnTheCommandLineIsATool(String command) {
    assertThat(JdkTools.notForTheAgent(MODULES, null, command, "/app/lib/a.jar", agentJar))
        .isEqualTo("the JDK tool " + command.split(" ")[0]);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "null               | com.example.Main --port 8080        | /app/classes:/app/lib/a.jar",
        "null               | /app/orders.jar --port 8080         | /app/orders.jar",
        "null               | Main                                | .",
        "null               | jdk.example.Main                    | /app/classes",
        "null               | sun.app.Main                        | /app/classes",
        "com.example.orders | com.example.orders/com.example.Main | ''",
        "null               | null                                | null",
      })
  void applicationsAreNotTools(String mainModule, String command, String classPath) {
    assertThat(JdkTools.notForTheAgent(MODULES, mainModule, command, classPath, agentJar)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // JDK 11 to 21
        "jdk.compiler/com.sun.tools.javac.launcher.Main Server.java",
        // JDK 22 and later
        "jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher Server.java",
      })
  void aSourceFileProgramIsAnApplication(String command) {
    assertThat(JdkTools.notForTheAgent(MODULES, null, command, ".", agentJar)).isNull();
  }

  @Test
  void aModuleNamedLikeTheJdksOutsideTheRuntimeImageIsAnApplication() throws IOException {
    // An automatic module takes its name from the jar's: jdk.orders.
    Path jar = tempDir.resolve("jdk.orders.jar");
    new JarOutputStream(Files.newOutputStream(jar), new Manifest()).close();
    Configuration withApplication =
        MODULES.resolve(ModuleFinder.of(jar), ModuleFinder.of(), Set.of("jdk.orders"));

    assertThat(
            JdkTools.notForTheAgent(
                withApplication, "jdk.orders", "jdk.orders/jdk.orders.Main", "", agentJar))
        .isNull();
  }

  @Test
  void theAgentJarRunAsAProgramIsItsOwnCommandLine() throws IOException {
    String path = agentJar.getPath();
    assertThat(JdkTools.notForTheAgent(MODULES, null, path + " attach 42", path, agentJar))
        .isEqualTo("its own command line, java -jar " + path);
    // The same file by another path.
    Path link = Files.createSymbolicLink(tempDir.resolve("agent-link.jar"), agentJar.toPath());
    assertThat(JdkTools.notForTheAgent(MODULES, null, link.toString(), link.toString(), agentJar))
        .isEqualTo("its own command line, java -jar " + link);
    assertThat(
            JdkTools.notForTheAgent(
                MODULES, null, "dev.opsagent.OpsAgent", path + ":/other.jar", agentJar))
        .isEqualTo("its own command line, dev.opsagent.OpsAgent");
  }

  @Test
  void anotherJarNamedLikeTheAgentIsAnApplication() throws IOException {
    Path other = Files.createDirectories(tempDir.resolve("other")).resolve("opsagent.jar");
    Files.createFile(other);
    assertThat(JdkTools.notForTheAgent(MODULES, null, other.toString(), other.toString(), agentJar))
        .isNull();
    assertThat(JdkTools.notForTheAgent(MODULES, null, other.toString(), other.toString(), null))
        .isNull();
  }

  @Test
  void debugAndTraceShowTheSkipLine() {
    assertThat(JdkTools.isDebug("debug")).isTrue();
    assertThat(JdkTools.isDebug(" TRACE ")).isTrue();
    assertThat(JdkTools.isDebug("info")).isFalse();
    assertThat(JdkTools.isDebug("")).isFalse();
    assertThat(JdkTools.isDebug(null)).isFalse();
  }

  @Test
  void theLogLevelIsReadFromAgentArguments() {
    String key = "opsagent.log.level";
    assertThat(JdkTools.argument("otel.service.name=a,opsagent.log.level=debug", key))
        .isEqualTo("debug");
    assertThat(JdkTools.argument(" opsagent.log.level = trace", key)).isEqualTo(" trace");
    assertThat(JdkTools.argument("opsagent.log.levels=debug", key)).isNull();
    assertThat(JdkTools.argument("", key)).isNull();
    assertThat(JdkTools.argument(null, key)).isNull();
  }

  @Test
  void thisTestJvmIsNoTool() {
    assertThat(stderrOf(() -> assertThat(JdkTools.skipAgent(null)).isFalse())).isEmpty();
  }

  @Test
  void aToolIsSkippedSilentlyUnlessDebugIsAsked() {
    String command = System.getProperty("sun.java.command");
    String level = System.getProperty("opsagent.log.level");
    System.setProperty("sun.java.command", "com.sun.tools.javac.Main -version");
    try {
      System.clearProperty("opsagent.log.level");
      assertThat(stderrOf(() -> assertThat(JdkTools.skipAgent("opsagent.log.level=info")).isTrue()))
          .isEmpty();
      assertThat(
              stderrOf(() -> assertThat(JdkTools.skipAgent("opsagent.log.level=debug")).isTrue()))
          .isEqualTo(
              "[opsagent] DEBUG not starting inside the JDK tool com.sun.tools.javac.Main\n");
      System.setProperty("opsagent.log.level", "debug");
      assertThat(stderrOf(() -> assertThat(JdkTools.skipAgent(null)).isTrue()))
          .startsWith("[opsagent] DEBUG not starting inside the JDK tool ");
      // Agent arguments win over the system property.
      assertThat(stderrOf(() -> assertThat(JdkTools.skipAgent("opsagent.log.level=warn")).isTrue()))
          .isEmpty();
    } finally {
      restore("sun.java.command", command);
      restore("opsagent.log.level", level);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  /** What {@code action} printed on standard error, line separators as {@code \n}. */
  private static String stderrOf(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(UTF_8).replace(System.lineSeparator(), "\n");
  }
}
