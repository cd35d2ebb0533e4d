/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.cli.AgentState;
import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import dev.opsagent.exporter.AgentVersion;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import dev.opsagent.instrumentation.api.AgentContext;
import dev.opsagent.instrumentation.api.InstrumentationModule;
import dev.opsagent.instrumentation.api.TypeInstrumentation;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import dev.opsagent.logging.LogLevel;
import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the agent inside its own class loader. What must happen before the application's first
 * class loads stays on the JVM's start-up path: configuration and weaving. Building the SDK and its
 * exporters happens on a background thread while the application starts; a request served before it
 * is ready waits for it instead of going unrecorded.
 */
public final class AgentStarter {

  private static final Logger logger = LoggerFactory.getLogger(AgentStarter.class);
  static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** The weaver waits at most 30 s for a class: it is done well within that. */
  private static final long WEAVER_WAIT_SECONDS = 30;

  private AgentStarter() {}

  /**
   * @param agentArguments {@code key=value,...} from the command line, or {@code null}
   * @param attached whether the agent was loaded into a running JVM rather than at its start
   * @param startNanos when the JVM handed control to the agent
   * @return the running agent; closing it detaches the agent
   */
  public static AutoCloseable start(
      String agentArguments, Instrumentation instrumentation, boolean attached, long startNanos) {
    StartupPhases phases = new StartupPhases(startNanos);
    AgentStatus status = new AgentStatus(attached);
    status.publish(AgentState.STARTING, "opsagent " + AgentVersion.get() + " is starting");
    Config config = Config.create(agentArguments, System.getProperties(), System.getenv());
    String level = config.get(Keys.LOG_LEVEL);
    if (level != null && !LogLevel.set(level)) {
      config.invalid(Keys.LOG_LEVEL, level, "error, warn, info, debug, trace or off", "info");
    }

    List<InstrumentationModule> all = new ArrayList<>();
    ServiceLoader.load(InstrumentationModule.class, AgentStarter.class.getClassLoader())
        .forEach(all::add);
    List<String> names = new ArrayList<>();
    all.forEach(module -> names.add(module.name()));
    config.reportUnknownKeys(Keys.all(names));
    phases.done("configuration");

    TelemetryHolder telemetry = new TelemetryHolder();
    AgentContext context = new AgentContext(config, telemetry);
    List<InstrumentationModule> enabled = new ArrayList<>();
    for (InstrumentationModule module : all) {
      if (config.getBoolean(Keys.instrumentationEnabled(module.name()), true)) {
        module.start(context);
        enabled.add(module);
      } else {
        logger.info("instrumentation {} is switched off", module.name());
      }
    }
    List<TypeInstrumentation> types = new ArrayList<>();
    enabled.forEach(module -> types.addAll(module.typeInstrumentations()));
    phases.done("instrumentation modules");
    AgentInstaller installer =
        AgentInstaller.register(instrumentation, types, AgentStarter.class.getClassLoader());
    phases.done("weaver registered");
    config.drainProblems().forEach(logger::warn);
    long premainNanos = System.nanoTime() - startNanos;
    logger.debug("start-up path: {}", phases);

    RunningAgent agent = new RunningAgent(installer, telemetry, status, attached);
    // Two threads, so that on a multi-core machine weaving and the SDK are ready sooner.
    agent.weaver = startThread("opsagent-weaver", installer::prepare);
    agent.init =
        startThread(
            "opsagent-init",
            () -> startTelemetry(config, agent, names(enabled), premainNanos, startNanos));
    return agent;
  }

  private static Thread startThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.setContextClassLoader(AgentStarter.class.getClassLoader());
    thread.start();
    return thread;
  }

  /**
   * The start-up line says the agent records: it waits for the weaver, which retransforms the
   * classes loaded before the agent (the JDK's threads and executors) in the background.
   */
  private static void awaitWeaver(Thread weaver) {
    try {
      weaver.join(TimeUnit.SECONDS.toMillis(WEAVER_WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Builds the SDK and hands it to the instrumentations, then connects the exporters: requests wait
   * for the former at most, never for the latter. Then says the agent started, once the weaver is
   * done too.
   */
  private static void startTelemetry(
      Config config,
      RunningAgent agent,
      String instrumentations,
      long premainNanos,
      long startNanos) {
    StartupPhases phases = new StartupPhases(System.nanoTime());
    // Blocked and waited times of requests need the JVM's thread contention monitoring.
    agent.switchedContentionMonitoringOn =
        ThreadCost.monitorContention(config.getBoolean(Keys.THREAD_CONTENTION_MONITORING, true));
    Telemetry telemetry;
    try {
      telemetry = Telemetry.create(config);
      agent.telemetry.set(telemetry);
      phases.done("SDK");
    } catch (Throwable t) {
      agent.telemetry.fail();
      logger.error(
          "could not set up the SDK; the agent records nothing. Cause: {}", t.toString(), t);
      agent.status.publish(AgentState.FAILED, "could not set up the SDK: " + t);
      return;
    }
    Duration shutdownTimeout = config.getDuration(Keys.SHUTDOWN_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT);
    agent.shutdownTimeout = shutdownTimeout;
    agent.addShutdownHook(
        new Thread(() -> shutdown(telemetry, shutdownTimeout), "opsagent-shutdown"));
    try {
      telemetry.connectExporters();
      phases.done("exporters");
    } catch (Throwable t) {
      logger.error(
          "could not create the exporter; nothing is exported. Cause: {}", t.toString(), t);
      agent.status.publish(AgentState.FAILED, "could not create the exporter: " + t);
      return;
    }
    config.drainProblems().forEach(logger::warn);
    logger.debug("background: {}", phases);
    awaitWeaver(agent.weaver);
    String line =
        String.format(
            "opsagent %s %s in %d ms (%d ms on the JVM's %s path): %s; instrumentations: %s",
            AgentVersion.get(),
            agent.attached ? "attached" : "started",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
            TimeUnit.NANOSECONDS.toMillis(premainNanos),
            agent.attached ? "attach" : "start-up",
            telemetry.destination(),
            instrumentations);
    logger.info(line);
    agent.status.publish(AgentState.ACTIVE, line);
  }

  private static void shutdown(Telemetry telemetry, Duration timeout) {
    if (!telemetry.shutdown(timeout)) {
      logger.warn(
          "could not export everything within {} ms at shutdown (set {} to wait longer)",
          timeout.toMillis(),
          Keys.SHUTDOWN_TIMEOUT);
    }
  }

  private static String names(List<InstrumentationModule> modules) {
    List<String> names = new ArrayList<>();
    modules.forEach(module -> names.add(module.name()));
    return names.isEmpty() ? "none" : String.join(", ", names);
  }
}
