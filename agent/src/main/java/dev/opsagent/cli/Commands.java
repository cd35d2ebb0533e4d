/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import dev.opsagent.cli.JvmConnector.ListedJvm;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The commands {@code list}, {@code attach}, {@code detach} and {@code status}, speaking opsagent's
 * protocol with the target JVM: the agent publishes its state in system properties ({@link
 * AgentState}); {@code attach} loads the agent with options {@code attach\nkey=value\n...} and
 * waits until it is active or failed; {@code detach} loads it with {@code detach}, which returns
 * once detached.
 */
final class Commands {

  /** Checks a PID before attaching to it; returns the JVM for messages. */
  interface TargetCheck {
    String check(long pid) throws CliException;
  }

  /** How long to wait for the agent, and how often to look. */
  static final class Timing {
    static final Timing DEFAULT =
        new Timing(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(60));

    private final Duration poll;
    private final Duration firstReport;
    private final Duration outcome;

    /**
     * @param poll how often to read the agent's state
     * @param firstReport how long the agent may take to report anything after it was loaded
     * @param outcome how long it may take to become active (or detached), or to fail
     */
    Timing(Duration poll, Duration firstReport, Duration outcome) {
      this.poll = poll;
      this.firstReport = firstReport;
      this.outcome = outcome;
    }
  }

  private static final Set<String> ATTACH_OUTCOMES = Set.of(AgentState.ACTIVE, AgentState.FAILED);
  private static final Set<String> DETACH_OUTCOMES = Set.of(AgentState.DETACHED, AgentState.FAILED);

  private final JvmConnector connector;
  private final TargetCheck targetCheck;
  private final Invocation invocation;
  private final PrintStream out;
  private final Timing timing;

  Commands(
      JvmConnector connector,
      TargetCheck targetCheck,
      Invocation invocation,
      PrintStream out,
      Timing timing) {
    this.connector = connector;
    this.targetCheck = targetCheck;
    this.invocation = invocation;
    this.out = out;
    this.timing = timing;
  }

  /**
   * {@code list}: every JVM of this host but this command's, with its Java version and opsagent's
   * state, read by attaching to it; {@code ?} and a short reason for those that refuse. JVMs that
   * exit meanwhile are left out.
   */
  int list() throws CliException {
    Map<Long, String> displayNames = new TreeMap<>();
    try {
      for (ListedJvm jvm : connector.list()) {
        displayNames.put(jvm.pid(), jvm.displayName());
      }
    } catch (AttachFailure e) {
      throw CliException.error("cannot list the JVMs of this host", e.getCause());
    }
    // JVMs that refuse attaching are left out of VirtualMachine.list(): jps shows them, so do we.
    for (long pid : HostProcess.perfDataPids()) {
      displayNames.putIfAbsent(pid, null);
    }
    JvmTable table = new JvmTable();
    displayNames.forEach(
        (pid, displayName) ->
            HostProcess.of(pid)
                .filter(process -> !process.isCurrent())
                .filter(process -> process.jvmEvidence() != HostProcess.JvmEvidence.NOT_A_JVM)
                .ifPresent(process -> addRow(table, process, displayName)));
    if (table.isEmpty()) {
      out.println("No other JVM runs on this host as far as this user can see.");
    } else {
      out.print(table.render());
    }
    return 0;
  }

  /**
   * {@code attach}: loads the agent with {@code settings} and waits until it reports active (or
   * failed); nothing to do if it is already starting or active.
   */
  int attach(long pid, List<String> settings) throws CliException {
    String jvmName = targetCheck.check(pid);
    requireJar();
    try (JvmConnection jvm = connect(pid, jvmName)) {
      TargetJvm target = read(pid, jvm, jvmName);
      AgentState before = target.agent();
      if (before.isRunning()) {
        out.println(
            "opsagent "
                + before.version()
                + " is already attached to "
                + pid
                + " ("
                + before.loaded()
                + ", since "
                + before.since()
                + "): nothing to do");
        return 0;
      }
      checkCanLoad(target);
      long start = System.nanoTime();
      AgentState after = loadAndAwait(jvm, target, attachOptions(settings), ATTACH_OUTCOMES);
      if (!after.is(AgentState.ACTIVE)) {
        throw CliException.error(
            "opsagent could not start in "
                + target.name()
                + ", which runs on without it: "
                + after.summary());
      }
      report(after, "attached to " + target.name() + ": active " + since(start) + " after loading");
      return 0;
    }
  }

  /**
   * {@code detach}: asks an active agent to detach, which it does before {@code agentmain} returns;
   * nothing to do if it is not running.
   */
  int detach(long pid) throws CliException {
    String jvmName = targetCheck.check(pid);
    requireJar();
    try (JvmConnection jvm = connect(pid, jvmName)) {
      TargetJvm target = read(pid, jvm, jvmName);
      AgentState before = target.agent();
      if (before.is(AgentState.STARTING)) {
        throw CliException.error(
            "opsagent is still starting in "
                + target.name()
                + "; detach it once it is active ('"
                + invocation.suggest("status", Long.toString(pid))
                + "' says when)");
      }
      if (!before.is(AgentState.ACTIVE)) {
        out.println(
            "opsagent is not running in "
                + target.name()
                + (before.isLoaded() ? ", " + before.state() + " since " + before.since() : "")
                + ": nothing to do");
        return 0;
      }
      long start = System.nanoTime();
      AgentState after = loadAndAwait(jvm, target, "detach", DETACH_OUTCOMES);
      if (!after.is(AgentState.DETACHED)) {
        throw CliException.error(
            "opsagent did not detach from "
                + target.name()
                + ", it is "
                + after.state()
                + ": "
                + after.summary());
      }
      report(after, "detached from " + target.name() + " in " + since(start));
      return 0;
    }
  }

  /** {@code status}: the agent's published state and its live threads, without loading it. */
  int status(long pid) throws CliException {
    String jvmName = targetCheck.check(pid);
    try (JvmConnection jvm = connect(pid, jvmName)) {
      TargetJvm target = read(pid, jvm, jvmName);
      AgentState agent = target.agent();
      field("pid", Long.toString(pid));
      field("main", target.main());
      field("java", target.javaVersion());
      if (agent.isLoaded()) {
        field("opsagent", agent.version());
        field("state", agent.state() + " since " + agent.since());
        field("loaded", agent.loaded());
        field("summary", agent.summary());
      } else {
        field("opsagent", "not loaded");
      }
      field("threads", agentThreads(jvm));
      return 0;
    }
  }

  /** The agent's live threads, {@code none}, or why they cannot be listed. */
  private static String agentThreads(JvmConnection jvm) {
    try {
      Optional<String> dump = jvm.threadDump();
      if (dump.isEmpty()) {
        return "not listed: this runtime does not let the command ask the JVM for its threads (run"
            + " it as java -jar, which allows it)";
      }
      List<String> threads = ThreadDump.agentThreads(dump.get());
      return threads.isEmpty() ? "none" : String.join(", ", threads);
    } catch (AttachFailure e) {
      return "not listed: " + CliException.describe(e.getCause());
    }
  }

  private void addRow(JvmTable table, HostProcess process, String displayName) {
    long pid = process.pid();
    String main =
        displayName == null || displayName.isBlank() || displayName.equals(Long.toString(pid))
            ? process.mainFromCommandLine()
            : TargetJvm.firstWord(displayName);
    if (process.ownedByAnotherUser()) {
      table.add(pid, "?", "? (user " + process.owner() + ")", main);
      return;
    }
    try (JvmConnection jvm = connector.attach(pid)) {
      TargetJvm target = TargetJvm.of(pid, jvm.systemProperties(), new Properties());
      table.add(pid, target.javaVersion(), target.agent().brief(), main);
    } catch (AttachFailure e) {
      if (e.problem() != AttachProblem.GONE && HostProcess.of(pid).isPresent()) {
        table.add(pid, "?", "? (" + e.problem().brief() + ")", main);
      }
    }
  }

  private JvmConnection connect(long pid, String jvmName) throws CliException {
    try {
      return connector.attach(pid);
    } catch (AttachFailure e) {
      throw e.toCliException(jvmName, invocation.agentJar());
    }
  }

  private TargetJvm read(long pid, JvmConnection jvm, String jvmName) throws CliException {
    try {
      return TargetJvm.of(pid, jvm.systemProperties(), jvm.agentProperties());
    } catch (AttachFailure e) {
      throw e.toCliException(jvmName, invocation.agentJar());
    }
  }

  /**
   * Loads the agent with {@code options}, then reads its state until it reports one of {@code
   * outcomes}, later than the one it had before. On Java 21+ the JVM warns of every load, detach's
   * included: a note explains it first.
   */
  private AgentState loadAndAwait(
      JvmConnection jvm, TargetJvm target, String options, Set<String> outcomes)
      throws CliException {
    AgentState before = target.agent();
    if (target.warnsOfDynamicAgents()) {
      out.println(dynamicLoadingNote(target));
    }
    try {
      jvm.loadAgent(invocation.agentJar(), options);
    } catch (AttachFailure e) {
      throw e.toCliException(target.name(), invocation.agentJar());
    }
    long start = System.nanoTime();
    while (true) {
      AgentState now;
      try {
        now = AgentState.of(jvm.systemProperties());
      } catch (AttachFailure e) {
        throw e.toCliException(target.name(), invocation.agentJar());
      }
      boolean changed = now.changedSince(before);
      if (changed && outcomes.contains(now.state())) {
        return now;
      }
      long waited = System.nanoTime() - start;
      if (!changed && waited > timing.firstReport.toNanos()) {
        throw CliException.error(
            "opsagent was loaded into "
                + target.name()
                + " but reported nothing within "
                + seconds(waited)
                + " (an agent older than this command?); the JVM's standard error says what it"
                + " did");
      }
      if (waited > timing.outcome.toNanos()) {
        throw CliException.error(
            "opsagent is still "
                + now.state()
                + " in "
                + target.name()
                + " after "
                + seconds(waited)
                + "; '"
                + invocation.suggest("status", Long.toString(target.pid()))
                + "' shows how it goes on");
      }
      pause(timing.poll);
    }
  }

  private void checkCanLoad(TargetJvm target) throws CliException {
    int feature = target.feature();
    if (feature != 0 && feature < TargetJvm.MIN_FEATURE) {
      throw CliException.error(
          target.name()
              + " runs Java "
              + target.javaVersion()
              + ", and opsagent needs Java "
              + TargetJvm.MIN_FEATURE
              + " or newer");
    }
    if (target.forbidsDynamicAgents()) {
      throw CliException.error(
          AttachProblem.DYNAMIC_AGENTS_FORBIDDEN.message(target.name(), invocation.agentJar()));
    }
  }

  private void requireJar() throws CliException {
    if (!invocation.runsFromJar()) {
      throw CliException.error(
          "this command runs from "
              + invocation.agentJar()
              + ", not from opsagent.jar, so it has no agent to load; run it as java -jar"
              + " opsagent.jar");
    }
  }

  /** The agent's options for {@code attach}: one line each, so that values may hold commas. */
  static String attachOptions(List<String> settings) {
    return "attach\n" + String.join("\n", settings);
  }

  static String dynamicLoadingNote(TargetJvm target) {
    return "note: "
        + target.name()
        + " runs Java "
        + target.javaVersion()
        + ", which prints a WARNING on its standard error for every agent loaded while it runs;"
        + " starting it with "
        + TargetJvm.ENABLE_DYNAMIC_AGENT_LOADING
        + " allows loading agents and silences the warning";
  }

  /** {@code opsagent 0.1.0 <what>}, then the agent's summary line, indented. */
  private void report(AgentState agent, String what) {
    out.println("opsagent " + agent.version() + " " + what);
    out.println("  " + agent.summary());
  }

  private void field(String name, String value) {
    out.printf("%-11s%s%n", name + ":", value);
  }

  private static String since(long startNanos) {
    return seconds(System.nanoTime() - startNanos);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  private static void pause(Duration duration) throws CliException {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.error("interrupted while waiting for opsagent");
    }
  }
}
