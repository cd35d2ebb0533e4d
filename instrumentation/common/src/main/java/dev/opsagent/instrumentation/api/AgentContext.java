/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import dev.opsagent.exporter.TelemetryHolder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** What the agent gives each instrumentation module when it starts it. */
public final class AgentContext {

  /**
   * Failures within a minute that disable an instrumentation. A bug that breaks every request
   * reaches it within the first requests, so little is spent on failing code; a failure now and
   * then (an odd request, a rare race) costs that request's data and leaves the monitoring on for
   * the JVM's life, which one failure switching it off for good would not.
   */
  static final int DEFAULT_FAILURE_THRESHOLD = 10;

  private final Config config;
  private final TelemetryHolder telemetry;
  private final int failureThreshold;
  private final Map<String, InstrumentationHealth> healthByName = new ConcurrentHashMap<>();

  public AgentContext(Config config, TelemetryHolder telemetry) {
    this.config = config;
    this.telemetry = telemetry;
    this.failureThreshold =
        config.getInt(Keys.INSTRUMENTATION_FAILURE_THRESHOLD, DEFAULT_FAILURE_THRESHOLD, 1);
    telemetry.whenReady(
        ready -> InstrumentationHealth.register(ready.meter(), healthByName.values()));
  }

  public Config config() {
    return config;
  }

  /** The SDK, which may still be being built when a module starts. */
  public TelemetryHolder telemetry() {
    return telemetry;
  }

  /**
   * @return the health of the instrumentation of that name, which its helpers report their failures
   *     to; the same object for the same name
   */
  public InstrumentationHealth health(String instrumentation) {
    return healthByName.computeIfAbsent(
        instrumentation, name -> new InstrumentationHealth(name, failureThreshold));
  }
}
