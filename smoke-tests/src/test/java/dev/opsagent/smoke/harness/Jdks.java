package dev.opsagent.smoke.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The JDKs the sample applications run on: the one running the tests and, when installed, a JDK 25,
 * the newest the agent supports. Use {@code @MethodSource("dev.opsagent.smoke.harness.Jdks#all")}.
 */
public final class Jdks {

  private static final Path JVM_DIRECTORY = Path.of("/usr/lib/jvm");
  private static final String JDK25_GLOB = "*25*";
  private static final Pattern JAVA_VERSION =
      Pattern.compile("^JAVA_VERSION=\"(?:1\\.)?(\\d+)", Pattern.MULTILINE);

  private static final Jdk CURRENT =
      new Jdk(Path.of(System.getProperty("java.home")), Runtime.version().feature());
  private static final Optional<Jdk> JDK25 =
      CURRENT.feature() == 25 ? Optional.of(CURRENT) : findJdk25();

  private Jdks() {}

  /** The running JDK, then JDK 25 if it is installed and is not the running one. */
  public static List<Jdk> all() {
    List<Jdk> jdks = new ArrayList<>(List.of(CURRENT));
    JDK25.filter(jdk -> !jdk.equals(CURRENT)).ifPresent(jdks::add);
    return List.copyOf(jdks);
  }

  /** The JDK running the tests. */
  public static Jdk current() {
    return CURRENT;
  }

  /** A JDK 25 from {@code /usr/lib/jvm/*25*}, or the running JDK if that is 25. */
  public static Optional<Jdk> jdk25() {
    return JDK25;
  }

  /** JDK 25, or aborts the calling test with a message that shows in the report as a skip. */
  public static Jdk assumeJdk25Present() {
    Assumptions.assumeTrue(
        JDK25.isPresent(), "JDK 25 not found under " + JVM_DIRECTORY + ": skipping");
    return JDK25.orElseThrow();
  }

  private static Optional<Jdk> findJdk25() {
    if (!Files.isDirectory(JVM_DIRECTORY)) {
      return Optional.empty();
    }
    // The glob also matches names like "zulu-8.0.252", hence the check of the release file.
    try (DirectoryStream<Path> candidates = Files.newDirectoryStream(JVM_DIRECTORY, JDK25_GLOB)) {
      List<Path> homes = new ArrayList<>();
      candidates.forEach(homes::add);
      return homes.stream()
          .sorted()
          .filter(home -> Files.isExecutable(home.resolve("bin/java")))
          .flatMap(
              home ->
                  releaseFeature(home).stream()
                      .filter(feature -> feature == 25)
                      .mapToObj(feature -> new Jdk(home, feature)))
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + JVM_DIRECTORY, e);
    }
  }

  /** The major version from the home's {@code release} file, e.g. {@code JAVA_VERSION="25.0.3"}. */
  private static OptionalInt releaseFeature(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return OptionalInt.empty();
    }
    try {
      Matcher matcher = JAVA_VERSION.matcher(Files.readString(release));
      return matcher.find()
          ? OptionalInt.of(Integer.parseInt(matcher.group(1)))
          : OptionalInt.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + release, e);
    }
  }
}
