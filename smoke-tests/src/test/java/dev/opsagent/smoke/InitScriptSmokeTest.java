/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.InitImage;
import dev.opsagent.smoke.harness.InitImage.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The init hook's script, {@code agent/container/opsagent-init.sh}, run with {@code sh} on a copy
 * of the init image's files: it copies the jar only when it matches its checksum, atomically, once;
 * it refuses a damaged jar and a target it cannot use, with one message that names the cause and
 * the fix, and leaves the target as it was.
 */
class InitScriptSmokeTest {

  private static final String FAILED = "opsagent-init: ERROR ";

  @TempDir Path tempDir;
  private InitImage image;

  /** The shared volume: empty, as a fresh emptyDir or named volume. */
  private Path volume;

  private Path target;

  @BeforeEach
  void copyImage() throws IOException {
    // Reachable for the unprivileged user of anUnwritableTargetIsRefused.
    Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    image = InitImage.copyTo(tempDir.resolve("image"));
    volume = Files.createDirectory(tempDir.resolve("volume"));
    target = volume.resolve("opsagent.jar");
  }

  @Test
  void copiesTheJarCheckedAgainstItsChecksum() throws Exception {
    Run run = image.run(volume.toString());

    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.stderrLines()).as("%s", run).isEmpty();
    assertThat(run.stdout())
        .contains("copied opsagent.jar to " + target + " (sha256 " + image.checksum() + ")")
        .contains("JAVA_TOOL_OPTIONS=-javaagent:" + target);
    assertThat(target).hasSameBinaryContentAs(image.jar());
    assertThat(sha256(target)).isEqualTo(image.checksum());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .as("readable by the application's user, whoever it is")
        .isEqualTo("rw-r--r--");
    assertThat(files(volume)).as("no temporary file left").containsExactly("opsagent.jar");
  }

  @Test
  void takesTheTargetFromTheEnvironment() throws Exception {
    Run run = image.run(Map.of("OPSAGENT_INIT_TARGET_DIR", volume.toString()));

    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(target).hasSameBinaryContentAs(image.jar());
  }

  @Test
  void aSecondRunSaysSoAndChangesNothing() throws Exception {
    assertThat(image.run(volume.toString()).exitCode()).isZero();
    FileTime past = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
    Files.setLastModifiedTime(target, past);
    Object inode = Files.readAttributes(target, "unix:ino").get("ino");

    Run again = image.run(volume.toString());

    assertThat(again.exitCode()).as("%s", again).isZero();
    assertThat(again.stdout())
        .contains(target + " is already this opsagent.jar (sha256 " + image.checksum() + ")")
        .contains("nothing to do");
    assertThat(Files.getLastModifiedTime(target)).isEqualTo(past);
    assertThat(Files.readAttributes(target, "unix:ino").get("ino")).isEqualTo(inode);
    assertThat(files(volume)).containsExactly("opsagent.jar");
  }

  @Test
  void replacesADifferentOrDamagedJar() throws Exception {
    Files.write(target, Arrays.copyOf(Files.readAllBytes(image.jar()), 1000));

    Run run = image.run(volume.toString());

    assertThat(run.exitCode()).as("%s", run).isZero();
    assertThat(run.stdout()).contains("replaced " + target + ", a different or damaged jar");
    assertThat(target).hasSameBinaryContentAs(image.jar());
    assertThat(files(volume)).containsExactly("opsagent.jar");
  }

  @Test
  void refusesACorruptJar() throws Exception {
    byte[] jar = Files.readAllBytes(image.jar());
    jar[jar.length / 2] ^= 0x01;
    Files.write(image.jar(), jar);

    assertRefusedAsCorrupt(image.run(volume.toString()));
  }

  @Test
  void refusesATruncatedJarAndKeepsTheOneInPlace() throws Exception {
    byte[] jar = Files.readAllBytes(image.jar());
    // A jar already in place, from an earlier version: it stays.
    Files.write(target, "an earlier jar".getBytes());
    Files.write(image.jar(), Arrays.copyOf(jar, jar.length / 2));

    assertRefusedAsCorrupt(image.run(volume.toString()), "opsagent.jar");
    assertThat(target).hasContent("an earlier jar");
  }

  @Test
  void refusesAMissingTargetDirectory() throws Exception {
    Path missing = tempDir.resolve("not-mounted");

    assertOneError(
        image.run(missing.toString()),
        "target directory " + missing + " does not exist",
        "mount the volume shared with the application there");
    assertThat(missing).doesNotExist();
  }

  @Test
  void refusesAnUnwritableTargetDirectory() throws Exception {
    Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("r-xr-xr-x"));

    assertOneError(
        image.runAsNobody(volume.toString()),
        "target directory " + volume + " is not writable by user ",
        "make the volume writable for it");
    assertThat(files(volume)).isEmpty();
  }

  @Test
  void helpSaysWhatItDoesAndABadOptionIsAUsageError() throws Exception {
    Run help = image.run("-h");

    assertThat(help.exitCode()).as("%s", help).isZero();
    assertThat(help.stdout())
        .startsWith("Usage: opsagent-init [-h] [TARGET_DIR]")
        .contains("OPSAGENT_INIT_TARGET_DIR")
        .contains("JAVA_TOOL_OPTIONS=-javaagent:TARGET_DIR/opsagent.jar");

    Run wrong = image.run("--target", volume.toString());
    assertThat(wrong.exitCode()).as("%s", wrong).isEqualTo(2);
    assertThat(wrong.stderrLines()).first().isEqualTo("opsagent-init: unknown option --target");
    assertThat(files(volume)).isEmpty();
  }

  private void assertRefusedAsCorrupt(Run run, String... filesLeft) throws IOException {
    assertOneError(
        run,
        image.jar() + " is corrupt or truncated: its SHA-256 is ",
        "expects " + image.checksum(),
        "Nothing was written to " + volume,
        "Pull the image again, or rebuild it");
    assertThat(run.stdout()).isEmpty();
    assertThat(files(volume)).containsExactly(filesLeft);
  }

  /** Exit status 1, and one line on standard error that says all of {@code parts}. */
  private static void assertOneError(Run run, String... parts) {
    assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
    assertThat(run.stderrLines())
        .as("%s", run)
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith(FAILED).contains(parts));
  }

  private static List<String> files(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(file -> file.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
