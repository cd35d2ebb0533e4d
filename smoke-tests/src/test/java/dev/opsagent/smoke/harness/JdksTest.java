package dev.opsagent.smoke.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JdksTest {

  @Test
  void allStartsWithTheRunningJdk() {
    Jdk current = Jdks.all().get(0);

    assertThat(current).isEqualTo(Jdks.current());
    assertThat(current.home()).isEqualTo(Path.of(System.getProperty("java.home")));
    assertThat(current.feature()).isEqualTo(Runtime.version().feature());
    assertThat(current.label())
        .isEqualTo("jdk" + Runtime.version().feature())
        .isEqualTo(current.toString());
    assertThat(Jdks.all()).doesNotHaveDuplicates();
  }

  @Test
  void findsAnInstalledJdk25() throws IOException {
    assumeTrue(jdk25DirectoryInstalled(), "no /usr/lib/jvm/*25* with bin/java");

    Jdk jdk25 = Jdks.jdk25().orElseThrow();

    assertThat(jdk25.feature()).isEqualTo(25);
    assertThat(jdk25.label()).isEqualTo("jdk25");
    assertThat(Jdks.all()).contains(jdk25);
    assertThat(Jdks.assumeJdk25Present()).isEqualTo(jdk25);
  }

  /** Also proves {@code Jdks#all} works as a method source, which is how smoke tests use it. */
  @ParameterizedTest
  @MethodSource("dev.opsagent.smoke.harness.Jdks#all")
  void eachJdkRunsAndIsTheVersionItClaims(Jdk jdk) throws Exception {
    Process java =
        new ProcessBuilder(jdk.java().toString(), "-version").redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(java.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).isZero();
    assertThat(output).contains(" version \"" + jdk.feature());
  }

  private static boolean jdk25DirectoryInstalled() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return false;
    }
    try (DirectoryStream<Path> homes = Files.newDirectoryStream(jvms, "*25*")) {
      for (Path home : homes) {
        if (Files.isExecutable(home.resolve("bin/java"))) {
          return true;
        }
      }
    }
    return false;
  }
}
