/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.AWAIT;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.agentProblems;
import static dev.opsagent.smoke.Smoke.awaitStarted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.InitImage;
import dev.opsagent.smoke.harness.Jdk;
import dev.opsagent.smoke.harness.Jdks;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceivedSpan;
import dev.opsagent.smoke.harness.ToolJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent in a container, as the init hook sets it up: the jar that {@code opsagent-init.sh}
 * copied into a volume, named by {@code JAVA_TOOL_OPTIONS} and configured by the standard
 * variables, with nothing on the application's command line. Every JVM of the container reads that
 * variable: the application records its requests, the JDK's tools and {@code java -jar
 * opsagent.jar} run without the agent.
 */
class JavaToolOptionsSmokeTest {

  private static final String SERVICE_NAME = "orders";
  private static final String POD = "orders-7d4b9c5f6-x2x7q";
  private static final String NAMESPACE = "shop";
  private static final int REQUESTS = 3;
  private static final String PICKED_UP = "Picked up JAVA_TOOL_OPTIONS: ";
  private static final String SKIPPED = "[opsagent] DEBUG not starting inside ";

  /** What the JVM says when an agent appends to the bootstrap class path, as this one does. */
  private static final String BOOTSTRAP_APPENDED = "bootstrap classpath has been appended";

  @TempDir static Path tempDir;

  /** The jar in the shared volume, where the init script put it. */
  private static Path agentJar;

  @BeforeAll
  static void runTheInitHook() throws Exception {
    InitImage image = InitImage.copyTo(tempDir.resolve("image"));
    Path volume = Files.createDirectory(tempDir.resolve("opsagent"));
    InitImage.Run run = image.run(volume.toString());
    assertThat(run.exitCode()).as("%s", run).isZero();
    agentJar = volume.resolve("opsagent.jar");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void theApplicationTakesTheAgentFromJavaToolOptions(Jdk jdk) throws Exception {
    try (OtlpReceiver receiver = OtlpReceiver.startHttp();
        AppJvm app =
            AppJvm.builder(jdk, JDK_HTTP_SERVER_APP)
                .withoutAgent()
                .env("JAVA_TOOL_OPTIONS", javaagent())
                .env("OTEL_SERVICE_NAME", SERVICE_NAME)
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
                .env(
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "k8s.pod.name=" + POD + ",k8s.namespace.name=" + NAMESPACE)
                .env("OTEL_BSP_SCHEDULE_DELAY", "100")
                .start()) {
      // The agent came from the environment, not from the harness, which waits only for its own.
      awaitStarted(app);
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      }

      List<ReceivedSpan> spans =
          receiver.awaitSpans(span -> "/hello".equals(span.attr("url.path")), REQUESTS, AWAIT);
      assertThat(spans)
          .allSatisfy(
              span -> {
                assertThat(span.resourceAttr("service.name")).isEqualTo(SERVICE_NAME);
                assertThat(span.resourceAttr("k8s.pod.name")).isEqualTo(POD);
                assertThat(span.resourceAttr("k8s.namespace.name")).isEqualTo(NAMESPACE);
              });
      assertThat(app.stderr()).contains(PICKED_UP + javaagent());
      assertThat(agentProblems(app)).isEmpty();
    }
  }

  static Stream<Arguments> jdksAndTools() {
    return Jdks.all().stream()
        .flatMap(
            jdk ->
                Stream.of(
                    Arguments.of(jdk, "jcmd -l", "the JDK tool jdk.jcmd/sun.tools.jcmd.JCmd"),
                    Arguments.of(jdk, "jps -l", "the JDK tool jdk.jcmd/sun.tools.jps.Jps"),
                    Arguments.of(
                        jdk,
                        "keytool -help",
                        "the JDK tool java.base/sun.security.tools.keytool.Main"),
                    Arguments.of(
                        jdk,
                        "javac -version",
                        "the JDK tool jdk.compiler/com.sun.tools.javac.Main"),
                    Arguments.of(
                        jdk, "jar --version", "the JDK tool jdk.jartool/sun.tools.jar.Main"),
                    // The agent's own command line: its path completes the line.
                    Arguments.of(jdk, "java -jar", "its own command line, java -jar ")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("jdksAndTools")
  void jdkToolsRunWithoutTheAgent(Jdk jdk, String commandLine, String skipped) throws Exception {
    String[] words = commandLine.split(" ");
    String[] arguments = Stream.of(words).skip(1).toArray(String[]::new);
    boolean ownJar = commandLine.equals("java -jar");
    if (ownJar) {
      arguments = new String[] {"-jar", agentJar.toString()};
    }
    try (ToolJvm tool =
        ToolJvm.start(
            jdk,
            Map.of("JAVA_TOOL_OPTIONS", javaagent(), "OPSAGENT_LOG_LEVEL", "debug"),
            words[0],
            arguments)) {
      assertThat(tool.waitForExit(AWAIT)).as("exit code of %s", commandLine).isZero();

      assertThat(tool.stderr()).contains(PICKED_UP + javaagent());
      assertThat(agentOutput(tool))
          .as("everything the agent printed")
          .containsExactly(SKIPPED + skipped + (ownJar ? agentJar.toString() : ""));
      assertThat(tool.stdout() + tool.stderr())
          .as("no start-up line")
          .doesNotContainPattern("opsagent .* started")
          .as("the agent returned before it appended to the bootstrap class path")
          .doesNotContain(BOOTSTRAP_APPENDED);
    }
  }

  private static String javaagent() {
    return "-javaagent:" + agentJar;
  }

  /** The agent's lines, on either stream. */
  private static List<String> agentOutput(ToolJvm tool) {
    return Stream.concat(tool.stdout().lines(), tool.stderrLines().stream())
        .filter(line -> line.contains("[opsagent]"))
        .collect(Collectors.toList());
  }
}
