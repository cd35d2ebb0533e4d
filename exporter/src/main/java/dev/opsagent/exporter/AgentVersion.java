/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The agent's own version, written into the jar by the build. */
public final class AgentVersion {

  private static final String VERSION = read();

  private AgentVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = AgentVersion.class.getResourceAsStream("version.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
