/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.opsagent.cli.HostProcess.JvmEvidence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the operating system tells about a process, read without attaching to it. */
class HostProcessTest {

  @Test
  void thisTestsJvmIsAJvmOfThisUserAndPublishesPerformanceData() {
    HostProcess self = HostProcess.of(ProcessHandle.current().pid()).orElseThrow();

    assertThat(self.isCurrent()).isTrue();
    assertThat(self.ownedByAnotherUser()).isFalse();
    assertThat(self.owner()).isEqualTo(HostProcess.currentUser());
    assertThat(self.programName()).isEqualTo("java");
    if (Files.isDirectory(Path.of("/proc"))) {
      assertThat(self.jvmEvidence()).isEqualTo(JvmEvidence.JVM);
      assertThat(HostProcess.perfDataPids()).contains(self.pid());
    }
  }

  @Test
  void aProgramThatIsNotAJvmIsToldWithoutSignallingIt() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc")), "Linux only");
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      HostProcess process = HostProcess.of(sleep.pid()).orElseThrow();

      assertThat(process.jvmEvidence()).isEqualTo(JvmEvidence.NOT_A_JVM);
      assertThat(process.programName()).isEqualTo("sleep");
      assertThat(sleep.isAlive()).isTrue();
    } finally {
      sleep.destroy();
      sleep.waitFor(5, TimeUnit.SECONDS);
    }
    assertThat(HostProcess.of(sleep.pid())).isEmpty();
  }
}
