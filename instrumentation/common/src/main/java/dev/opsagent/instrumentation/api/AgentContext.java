/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import dev.opsagent.config.Config;
import dev.opsagent.exporter.TelemetryHolder;

/** What the agent gives each instrumentation module when it starts it. */
public final class AgentContext {

  private final Config config;
  private final TelemetryHolder telemetry;

  public AgentContext(Config config, TelemetryHolder telemetry) {
    this.config = config;
    this.telemetry = telemetry;
  }

  public Config config() {
    return config;
  }

  /** The SDK, which may still be being built when a module starts. */
  public TelemetryHolder telemetry() {
    return telemetry;
  }
}
