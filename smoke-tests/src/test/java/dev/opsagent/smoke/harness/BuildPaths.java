/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths the build provides through system properties (see smoke-tests/pom.xml). */
final class BuildPaths {

  private BuildPaths() {}

  /** The built agent, {@code agent/target/opsagent.jar}. */
  static Path agentJar() {
    return existing("opsagent.jar");
  }

  /** {@code smoke-tests/servers}, whose modules hold the server applications. */
  static Path serversDirectory() {
    return existing("opsagent.servers.dir");
  }

  /** The path in system property {@code property}, which must exist. */
  static Path existing(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          "system property "
              + property
              + " is not set: run the smoke tests with Maven, which sets it");
    }
    return existing(Path.of(value), property);
  }

  /** {@code path}, which must exist: {@code what} says where it comes from. */
  static Path existing(Path path, String what) {
    if (!Files.exists(path)) {
      throw new IllegalStateException(
          path + " (" + what + ") does not exist: run mvn package first");
    }
    return path;
  }
}
