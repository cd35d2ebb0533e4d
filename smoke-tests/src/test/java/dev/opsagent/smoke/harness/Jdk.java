package dev.opsagent.smoke.harness;

import java.nio.file.Path;

/**
 * A JDK installation to run a sample application on. Its {@code toString()} is its label, so
 * parameterized test names read "jdk25".
 */
public record Jdk(Path home, int feature) {

  public String label() {
    return "jdk" + feature;
  }

  public Path java() {
    return home.resolve("bin").resolve("java");
  }

  @Override
  public String toString() {
    return label();
  }
}
