/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.agent;

import dev.opsagent.bootstrap.Bridge;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.cli.AgentState;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import dev.opsagent.instrumentation.http.HttpServerRecorder;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent while it runs in a JVM, and its detach: {@link #close} takes out everything the agent
 * put into the application, and leaves the JVM as it found it but for the bootstrap classes, which
 * no JVM can unload, and for the system properties that say what the detach did.
 */
final class RunningAgent implements AutoCloseable {

  static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** How long a detach waits for the start-up threads, which are done within seconds. */
  private static final long START_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);

  /** How long a detach waits for the agent's threads to end once told to. */
  private static final long THREADS_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(2);

  final TelemetryHolder telemetry;
  final AgentStatus status;
  final boolean attached;

  volatile Thread weaver;
  volatile Thread init;

  /** The installed instrumentation, once the start-up thread installed it. */
  volatile AgentInstaller installer;

  /** Whether the agent switched the JVM's thread contention monitoring on. */
  volatile boolean switchedContentionMonitoringOn;

  volatile Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

  /** The hook that flushes at the JVM's exit; guarded by this. */
  private Thread shutdownHook;

  private boolean detached;

  RunningAgent(TelemetryHolder telemetry, AgentStatus status, boolean attached) {
    this.telemetry = telemetry;
    this.status = status;
    this.attached = attached;
  }

  /** Registers the hook that flushes at the JVM's exit, unless the agent detached already. */
  synchronized void addShutdownHook(Thread hook) {
    if (!detached) {
      Runtime.getRuntime().addShutdownHook(hook);
      shutdownHook = hook;
    }
  }

  /**
   * Detaches the agent, on the thread that asked for it (the JVM's attach listener): restores every
   * class it wove, disconnects the advice still running, flushes and stops the exporters, and waits
   * for the agent's threads to end. The application serves throughout: a request in flight finishes
   * in the code it started in.
   */
  @Override
  public void close() {
    long startNanos = System.nanoTime();
    status.publish(AgentState.DETACHING, "opsagent is detaching");
    Thread caller = Thread.currentThread();
    ClassLoader callerLoader = caller.getContextClassLoader();
    // Threads the exporters start while they stop are the agent's own, as are their loaders.
    caller.setContextClassLoader(RunningAgent.class.getClassLoader());
    // Not a static field: this class loads on the JVM's start-up path, the logger need not.
    Logger logger = LoggerFactory.getLogger(RunningAgent.class);
    try {
      String summary = detach(startNanos);
      logger.info(summary);
      status.publish(AgentState.DETACHED, summary);
    } catch (RuntimeException | Error e) {
      logger.error("detaching failed: {}", e.toString(), e);
      status.publish(AgentState.FAILED, "detaching failed: " + e);
    } finally {
      caller.setContextClassLoader(callerLoader);
    }
  }

  private String detach(long startNanos) {
    Thread hook;
    synchronized (this) {
      detached = true;
      hook = shutdownHook;
    }
    join(weaver);
    join(init);
    // New calls run the original code from here on; calls in flight finish in the woven code, and
    // end their requests' records, until the hooks go.
    AgentInstaller installed = installer;
    int restored = installed == null ? 0 : installed.uninstall();
    Bridge.reset();
    RequestContext.dropAll();
    boolean timerStopped = stopGraceTimer();
    if (switchedContentionMonitoringOn) {
      ThreadCost.stopMonitoringContention();
    }
    String flushed = "nothing to flush";
    Telemetry sdk = telemetry.get();
    if (sdk != null) {
      if (hook != null) {
        removeShutdownHook(hook);
      }
      flushed =
          sdk.shutdown(shutdownTimeout)
              ? "exporters flushed"
              : "exporters NOT flushed within " + shutdownTimeout.toMillis() + " ms";
      Telemetry.stopSharedThreads();
    }
    List<String> running = awaitAgentThreads(Thread.currentThread());
    // Again, now that no hook can be running: a request that read its hook just before the reset
    // may have been made current on its thread after the first drop.
    RequestContext.dropAll();
    if (!timerStopped) {
      running.add("opsagent-request-grace");
    }
    return String.format(
        "opsagent detached in %d ms: %d classes restored, %s, %s",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        restored,
        flushed,
        running.isEmpty()
            ? "agent threads stopped"
            : "agent threads still ending: " + String.join(", ", running));
  }

  private static void join(Thread thread) {
    if (thread == null) {
      return;
    }
    try {
      thread.join(START_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean stopGraceTimer() {
    try {
      return HttpServerRecorder.detach(THREADS_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException exiting) {
      // The JVM is exiting: the hook runs anyway, and finds the exporters stopped.
    }
  }

  /**
   * Waits, a bounded time, for the threads of the agent to end: those it named, and those started
   * by its libraries (their context class loader, their own class or code on their stack is the
   * agent's).
   *
   * @return the names of those still running
   */
  private static List<String> awaitAgentThreads(Thread self) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREADS_WAIT_MILLIS);
    List<Thread> running = agentThreads(self);
    // Their work is done: the batch span processor's thread, for one, would otherwise sleep out
    // its schedule delay before it sees that it was shut down.
    running.forEach(Thread::interrupt);
    while (!running.isEmpty() && System.nanoTime() < deadline) {
      try {
        running.get(0).join(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      running = agentThreads(self);
    }
    List<String> names = new ArrayList<>();
    running.forEach(thread -> names.add(thread.getName()));
    return names;
  }

  private static List<Thread> agentThreads(Thread self) {
    ClassLoader agentLoader = RunningAgent.class.getClassLoader();
    List<Thread> threads = new ArrayList<>();
    for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
      Thread thread = entry.getKey();
      if (thread != self
          && thread.isAlive()
          && (thread.getName().startsWith("opsagent-")
              || thread.getContextClassLoader() == agentLoader
              || thread.getClass().getClassLoader() == agentLoader
              || runsAgentCode(entry.getValue(), agentLoader.getName()))) {
        threads.add(thread);
      }
    }
    return threads;
  }

  private static boolean runsAgentCode(StackTraceElement[] stack, String agentLoaderName) {
    for (StackTraceElement frame : stack) {
      if (agentLoaderName.equals(frame.getClassLoaderName())) {
        return true;
      }
    }
    return false;
  }
}
