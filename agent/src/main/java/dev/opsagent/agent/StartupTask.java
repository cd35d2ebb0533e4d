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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the agent up on its start-up thread, while the application starts: configuration, the SDK,
 * the advice weaver (built on a second thread meanwhile), then the weaver's installation, which
 * retransforms the matching classes loaded until then. Requests are recorded from that moment, a
 * few hundred milliseconds after the JVM's start; the application's first requests, if it serves
 * within that time, are not.
 */
final class StartupTask implements Runnable {

  /**
   * Set as the task runs: it is created on the JVM's start-up path, where the logging facade, which
   * looks for its provider as it loads, need not load. Named after the agent's entry point, as
   * users know its start-up line.
   */
  private Logger logger;

  private final String agentArguments;
  private final Instrumentation instrumentation;
  private final RunningAgent agent;
  private final long startNanos;
  private final long premainNanos;

  StartupTask(
      String agentArguments,
      Instrumentation instrumentation,
      RunningAgent agent,
      long startNanos,
      long premainNanos) {
    this.agentArguments = agentArguments;
    this.instrumentation = instrumentation;
    this.agent = agent;
    this.startNanos = startNanos;
    this.premainNanos = premainNanos;
  }

  @Override
  public void run() {
    logger = LoggerFactory.getLogger(AgentStarter.class);
    try {
      agent.status.publish(AgentState.STARTING, "opsagent " + AgentVersion.get() + " is starting");
      StartupPhases phases = new StartupPhases(System.nanoTime());
      Config config = Config.create(agentArguments, System.getProperties(), System.getenv());
      String level = config.get(Keys.LOG_LEVEL);
      if (level != null && !LogLevel.set(level)) {
        config.invalid(Keys.LOG_LEVEL, level, "error, warn, info, debug, trace or off", "info");
      }
      List<InstrumentationModule> all = new ArrayList<>();
      ServiceLoader.load(InstrumentationModule.class, StartupTask.class.getClassLoader())
          .forEach(all::add);
      List<String> names = new ArrayList<>();
      all.forEach(module -> names.add(module.name()));
      config.reportUnknownKeys(Keys.all(names));
      List<InstrumentationModule> enabled = new ArrayList<>();
      List<TypeInstrumentation> types = new ArrayList<>();
      for (InstrumentationModule module : all) {
        if (config.getBoolean(Keys.instrumentationEnabled(module.name()), true)) {
          enabled.add(module);
          types.addAll(module.typeInstrumentations());
        } else {
          logger.info("instrumentation {} is switched off", module.name());
        }
      }
      phases.done("configuration");

      // Byte Buddy and the SDK each take a few hundred milliseconds of CPU, mostly loading
      // classes. With more than two cores, a second thread gets the weaver ready sooner; with two
      // or fewer, it would take a core from the application's own start-up (measured: +200 ms to
      // a small server's first response on two cores).
      FutureTask<AdviceWeaver> adviceWeaver =
          new FutureTask<>(() -> new AdviceWeaver(types, StartupTask.class.getClassLoader()));
      if (Runtime.getRuntime().availableProcessors() > 2) {
        agent.weaver = AgentStarter.startThread("opsagent-weaver", adviceWeaver);
      } else {
        adviceWeaver.run();
        phases.done("advice weaver");
      }
      Telemetry telemetry = startTelemetry(config);
      if (telemetry == null) {
        return;
      }
      phases.done("SDK");
      AgentContext context = new AgentContext(config, agent.telemetry);
      enabled.forEach(module -> module.start(context));
      AgentInstaller installer = install(types, adviceWeaver, phases);
      agent.installer = installer;
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
      String line =
          String.format(
              "opsagent %s %s in %d ms (%d ms on the JVM's %s path): %s; instrumentations: %s",
              AgentVersion.get(),
              agent.attached ? "attached" : "started",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
              TimeUnit.NANOSECONDS.toMillis(premainNanos),
              agent.attached ? "attach" : "start-up",
              telemetry.destination(),
              installer == null ? "none" : names(enabled));
      logger.info(line);
      agent.status.publish(AgentState.ACTIVE, line);
    } catch (Throwable t) {
      agent.telemetry.fail();
      logger.error("could not start; the application runs without the agent. Cause: {}", t, t);
      agent.status.publish(AgentState.FAILED, "could not start: " + t);
    }
  }

  /**
   * Builds the SDK and registers the hook that flushes it at the JVM's exit.
   *
   * @return the SDK, {@code null} if it could not be built
   */
  private Telemetry startTelemetry(Config config) {
    // Blocked and waited times of requests need the JVM's thread contention monitoring. Off unless
    // asked for: it makes the JVM time every contended lock and park of the whole application, and
    // costs each reading a ThreadInfo (measured: 14 % of a trivial endpoint's throughput).
    agent.switchedContentionMonitoringOn =
        ThreadCost.monitorContention(config.getBoolean(Keys.THREAD_CONTENTION_MONITORING, false));
    Telemetry telemetry;
    try {
      telemetry = Telemetry.create(config);
    } catch (Throwable t) {
      agent.telemetry.fail();
      logger.error(
          "could not set up the SDK; the agent records nothing. Cause: {}", t.toString(), t);
      agent.status.publish(AgentState.FAILED, "could not set up the SDK: " + t);
      return null;
    }
    agent.telemetry.set(telemetry);
    Duration shutdownTimeout =
        config.getDuration(Keys.SHUTDOWN_TIMEOUT, RunningAgent.DEFAULT_SHUTDOWN_TIMEOUT);
    agent.shutdownTimeout = shutdownTimeout;
    agent.addShutdownHook(
        new Thread(() -> shutdown(telemetry, shutdownTimeout), "opsagent-shutdown"));
    return telemetry;
  }

  /**
   * Waits for the advice weaver, then installs it.
   *
   * @return the installed instrumentation, {@code null} if the weaver could not be built
   */
  private AgentInstaller install(
      List<TypeInstrumentation> types, FutureTask<AdviceWeaver> adviceWeaver, StartupPhases phases)
      throws InterruptedException {
    boolean building = !adviceWeaver.isDone();
    AdviceWeaver weaver;
    try {
      weaver = adviceWeaver.get();
    } catch (ExecutionException e) {
      logger.error(
          "could not set up instrumentation; the application runs uninstrumented. Cause: {}",
          e.getCause().toString(),
          e.getCause());
      return null;
    }
    if (building) {
      phases.done("advice weaver (on its own thread) awaited");
    }
    return AgentInstaller.install(
        instrumentation, types, StartupTask.class.getClassLoader(), weaver, phases);
  }

  private void shutdown(Telemetry telemetry, Duration timeout) {
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
