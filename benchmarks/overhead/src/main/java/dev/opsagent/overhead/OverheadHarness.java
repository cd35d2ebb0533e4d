/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The whole-process overhead harness: runs {@link OverheadApp} with no agent, with opsagent and
 * with the OpenTelemetry Java agent, interleaved round after round, all exporting to one {@link
 * OtlpSink}, loads it with wrk, and prints a markdown report of the medians (also written to the
 * output folder, with every run's figures and each JVM's standard error and GC log). Then, for
 * opsagent alone, the sustained-export measurement. See benchmarks/README.md.
 */
public final class OverheadHarness {

  /** The three ways the same app is run. */
  enum Variant {
    NONE("no agent"),
    OPSAGENT("opsagent"),
    OTEL("OTel agent");

    final String label;

    Variant(String label) {
      this.label = label;
    }
  }

  /** One measured load: a warm-up, then a measured wrk run, and what the process did meanwhile. */
  record Load(
      String path,
      Wrk.Result wrk,
      double seconds,
      long served,
      Map<String, Long> allocatedByCategory,
      Map<String, Long> allocatedByAgentThread,
      long gcAllocated,
      long gcPauses,
      long processTicks,
      Map<String, Long> ticksByCategory,
      Map<String, Long> ticksByAgentThread,
      long spansReceived,
      long receiverTicks,
      long machineBusyTicks,
      double otherCores,
      double loadAverage) {

    long allocated() {
      return allocatedByCategory.values().stream().mapToLong(Long::longValue).sum();
    }

    double allocatedPerRequest() {
      return (double) allocated() / served;
    }

    double categoryPerRequest(String category) {
      return (double) allocatedByCategory.getOrDefault(category, 0L) / served;
    }

    /** Microseconds of process CPU per request served. */
    double cpuMicrosPerRequest() {
      return perRequest(processTicks);
    }

    /** Microseconds of CPU per request served: wrk's, the receiver's, all the machine's. */
    double wrkMicrosPerRequest() {
      return perRequest(Math.max(0, wrk.cpuTicks()));
    }

    double receiverMicrosPerRequest() {
      return perRequest(receiverTicks);
    }

    double machineMicrosPerRequest() {
      return perRequest(machineBusyTicks);
    }

    private double perRequest(long ticks) {
      return ticks * 1e6 / Proc.HZ / served;
    }

    /** Cores' worth of CPU on the agent's threads during the window. */
    double agentCores() {
      return ticksByCategory.getOrDefault("agent", 0L) / (double) Proc.HZ / seconds;
    }
  }

  /** One variant, one round. */
  record Run(
      Variant variant,
      int round,
      double startupMs,
      double startLineMs,
      long rssIdle,
      long rssAfterLoad,
      Map<String, Load> loads,
      RateLoad.Result fixedRate,
      OtlpSink.Counts received,
      long served,
      List<String> agentProblems,
      boolean cleanExit) {}

  /** One step of the sustained-export measurement. */
  record ExportStep(
      double targetSpansPerSecond,
      int tasksPerRequest,
      RateLoad.Result load,
      double producedPerSecond,
      double receivedPerSecond,
      long produced,
      long received,
      double droppedInWarmUp,
      double dropped,
      double exportFailed,
      double medianReadMillis,
      double slowReadShare,
      double agentCores,
      double harnessCores,
      double otherCores,
      double loadAverage) {}

  static final String HELLO = "/hello";
  static final String CPU = "/cpu";
  private static final String SERVICE = "overhead-app";

  private final Options options;
  private final OtlpSink sink;

  private OverheadHarness(Options options, OtlpSink sink) {
    this.options = options;
    this.sink = sink;
  }

  public static void main(String[] args) throws Exception {
    // The receiver is a JDK HttpServer too: without this, Nagle's algorithm and delayed ACKs hold
    // each export's response for up to 40 ms, and the agents' queues overflow for that reason.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Options options = Options.parse(args);
    Files.createDirectories(options.out);
    try (OtlpSink sink = new OtlpSink()) {
      new OverheadHarness(options, sink).run();
    } finally {
      Processes.stopAll();
    }
  }

  private void run() throws Exception {
    log(
        "OTLP receiver at %s; %d round(s); app JVM %s; output in %s",
        sink.endpoint(), options.rounds, options.java, options.out);
    List<Run> runs = new ArrayList<>();
    for (int round = 1; round <= options.rounds; round++) {
      for (Variant variant : Variant.values()) {
        runs.add(measure(variant, round));
      }
    }
    List<ExportStep> steps = new ArrayList<>();
    if (options.sustained) {
      for (int spansPerSecond : options.exportRates) {
        steps.add(sustainedExport(spansPerSecond));
      }
    }
    String report = new Report(options, runs, steps).markdown();
    Files.writeString(options.out.resolve("report.md"), report, StandardCharsets.UTF_8);
    System.out.println(report);
  }

  private Run measure(Variant variant, int round) throws Exception {
    log("round %d: %s", round, variant.label);
    drainSink();
    String name = variant.name().toLowerCase(Locale.ROOT) + "-" + round;
    Path gcLog = options.out.resolve("gc-" + name + ".log");
    List<String> command = command(variant, gcLog, false);
    Files.writeString(options.out.resolve("command-" + name + ".txt"), String.join(" ", command));
    try (AppProcess app =
        AppProcess.launch(
            command, options.out.resolve("stderr-" + name + ".log"), startLine(variant))) {
      double startup = app.startupMillis();
      Thread.sleep(options.idleMillis);
      long rssIdle = Proc.rssBytes(app.pid());
      Map<String, Load> loads = new LinkedHashMap<>();
      for (String path : List.of(HELLO, CPU)) {
        loads.put(path, load(app, path, gcLog));
      }
      RateLoad.Result fixedRate =
          RateLoad.run(
              app.port(),
              HELLO,
              options.fixedRate,
              options.rateConnections,
              options.durationSeconds);
      long rssAfterLoad = Proc.rssBytes(app.pid());
      long served = app.stats().requests();
      double startLine = app.startLineMillis();
      boolean clean = app.stop();
      OtlpSink.Counts received = awaitQuietSink();
      Run run =
          new Run(
              variant,
              round,
              startup,
              startLine,
              rssIdle,
              rssAfterLoad,
              loads,
              fixedRate,
              received,
              served,
              agentProblems(app.stderr()),
              clean);
      log(
          "  start-up %.0f ms (agent line %.0f ms), RSS %.1f/%.1f MB, /hello %.0f req/s p99 %.2f ms,"
              + " /cpu %.0f req/s, /hello at %.0f/s p99 %.2f ms, alloc/request %.0f B, spans %d of %d"
              + " requests",
          startup,
          startLine,
          rssIdle / 1e6,
          rssAfterLoad / 1e6,
          loads.get(HELLO).wrk().requestsPerSecond(),
          loads.get(HELLO).wrk().p99Millis(),
          loads.get(CPU).wrk().requestsPerSecond(),
          fixedRate.requestsPerSecond(),
          fixedRate.p99Millis(),
          loads.get(HELLO).allocatedPerRequest(),
          received.spans(),
          served);
      return run;
    }
  }

  private Load load(AppProcess app, String path, Path gcLog) throws Exception {
    String url = "http://127.0.0.1:" + app.port() + path;
    Wrk.run(url, options.threads, options.connections, options.warmupSeconds);
    long pid = app.pid();
    AppProcess.Stats before = app.stats();
    Map<Long, Proc.ThreadTime> threadsBefore = Proc.threadTicks(pid);
    long processBefore = Proc.processTicks(pid);
    long selfBefore = Proc.processTicks(Proc.self());
    long[] machineBefore = Proc.machineTicks();
    long receivedBefore = sink.spansSoFar();
    long start = System.nanoTime();
    Wrk.Result wrk = Wrk.run(url, options.threads, options.connections, options.durationSeconds);
    double seconds = (System.nanoTime() - start) / 1e9;
    long receivedAfter = sink.spansSoFar();
    long[] machineAfter = Proc.machineTicks();
    long selfAfter = Proc.processTicks(Proc.self());
    long processAfter = Proc.processTicks(pid);
    Map<Long, Proc.ThreadTime> threadsAfter = Proc.threadTicks(pid);
    double loadAverage = Proc.loadAverage();
    AppProcess.Stats after = app.stats();

    Map<String, Long> ticksByCategory = new TreeMap<>();
    Map<String, Long> ticksByAgentThread = new TreeMap<>();
    threadsAfter.forEach(
        (tid, time) -> {
          Proc.ThreadTime was = threadsBefore.get(tid);
          long delta = time.ticks() - (was == null ? 0 : was.ticks());
          String category = Proc.category(time.name());
          ticksByCategory.merge(category, delta, Long::sum);
          if (category.equals("agent")) {
            ticksByAgentThread.merge(time.name(), delta, Long::sum);
          }
        });
    Map<String, Long> allocatedByCategory = new TreeMap<>();
    Map<String, Long> allocatedByAgentThread = new TreeMap<>();
    after
        .allocatedByThread()
        .forEach(
            (thread, bytes) -> {
              long delta = bytes - before.allocatedByThread().getOrDefault(thread, 0L);
              String category = Proc.category(thread);
              allocatedByCategory.merge(category, delta, Long::sum);
              if (category.equals("agent")) {
                allocatedByAgentThread.merge(kernelName(thread), delta, Long::sum);
              }
            });
    long processTicks = processAfter - processBefore;
    long other =
        (machineAfter[0] - machineBefore[0])
            - processTicks
            - Math.max(0, wrk.cpuTicks())
            - (selfAfter - selfBefore);
    long[] gc =
        GcLog.allocated(
            Files.exists(gcLog) ? Files.readAllLines(gcLog) : List.of(),
            before.uptimeMs(),
            before.heapUsed(),
            after.uptimeMs(),
            after.heapUsed());
    return new Load(
        path,
        wrk,
        seconds,
        after.requests() - before.requests(),
        allocatedByCategory,
        allocatedByAgentThread,
        gc[0],
        gc[1],
        processTicks,
        ticksByCategory,
        ticksByAgentThread,
        receivedAfter - receivedBefore,
        selfAfter - selfBefore,
        machineAfter[0] - machineBefore[0],
        Math.max(0, other) / (double) Proc.HZ / seconds,
        loadAverage);
  }

  private ExportStep sustainedExport(int spansPerSecond) throws Exception {
    double requestRate = spansPerSecond / (options.fanout + 1.0);
    log(
        "sustained export: opsagent, %d spans/s: /fanout?n=%d at %.0f requests/s",
        spansPerSecond, options.fanout, requestRate);
    drainSink();
    String name = "sustained-" + spansPerSecond;
    Path gcLog = options.out.resolve("gc-" + name + ".log");
    List<String> command = command(Variant.OPSAGENT, gcLog, true);
    Files.writeString(options.out.resolve("command-" + name + ".txt"), String.join(" ", command));
    try (AppProcess app =
        AppProcess.launch(
            command, options.out.resolve("stderr-" + name + ".log"), startLine(Variant.OPSAGENT))) {
      String path = "/fanout?n=" + options.fanout;
      RateLoad.run(
          app.port(), path, requestRate, options.rateConnections, options.exportWarmupSeconds);
      long pid = app.pid();
      AppProcess.Stats before = app.stats();
      Map<Long, Proc.ThreadTime> threadsBefore = Proc.threadTicks(pid);
      long receivedBefore = sink.spansSoFar();
      // As the agent last reported it, up to 5 s ago: drops in the warm-up's last seconds count
      // as the measured window's.
      double droppedBefore = sink.metricSoFar(OtlpSink.DROPPED);
      long processBefore = Proc.processTicks(pid);
      long selfBefore = Proc.processTicks(Proc.self());
      long[] machineBefore = Proc.machineTicks();
      long start = System.nanoTime();
      RateLoad.Result load =
          RateLoad.run(
              app.port(), path, requestRate, options.rateConnections, options.exportSeconds);
      double seconds = (System.nanoTime() - start) / 1e9;
      long[] machineAfter = Proc.machineTicks();
      long selfAfter = Proc.processTicks(Proc.self());
      long processAfter = Proc.processTicks(pid);
      long receivedAfter = sink.spansSoFar();
      Map<Long, Proc.ThreadTime> threadsAfter = Proc.threadTicks(pid);
      double loadAverage = Proc.loadAverage();
      AppProcess.Stats after = app.stats();
      long agentTicks = 0;
      for (Map.Entry<Long, Proc.ThreadTime> entry : threadsAfter.entrySet()) {
        if (Proc.category(entry.getValue().name()).equals("agent")) {
          Proc.ThreadTime was = threadsBefore.get(entry.getKey());
          agentTicks += entry.getValue().ticks() - (was == null ? 0 : was.ticks());
        }
      }
      long other =
          (machineAfter[0] - machineBefore[0])
              - (processAfter - processBefore)
              - (selfAfter - selfBefore);
      long produced = after.requests() + after.tasks();
      app.stop();
      OtlpSink.Counts received = awaitQuietSink();
      ExportStep step =
          new ExportStep(
              spansPerSecond,
              options.fanout,
              load,
              ((after.requests() + after.tasks()) - (before.requests() + before.tasks())) / seconds,
              (receivedAfter - receivedBefore) / seconds,
              produced,
              received.spans(),
              droppedBefore,
              received.metric(OtlpSink.DROPPED) - droppedBefore,
              received.metric(OtlpSink.EXPORT_FAILED),
              received.medianReadMillis(),
              received.slowReadShare(),
              agentTicks / (double) Proc.HZ / seconds,
              (selfAfter - selfBefore) / (double) Proc.HZ / seconds,
              Math.max(0, other) / (double) Proc.HZ / seconds,
              loadAverage);
      log(
          "  %.0f spans/s produced, %.0f spans/s received; %d produced, %d received, %.0f dropped"
              + " in the warm-up, %.0f measured",
          step.producedPerSecond(),
          step.receivedPerSecond(),
          step.produced(),
          step.received(),
          step.droppedInWarmUp(),
          step.dropped());
      return step;
    }
  }

  private List<String> command(Variant variant, Path gcLog, boolean executorSpans) {
    List<String> command = new ArrayList<>();
    command.add(options.java.toString());
    command.add("-Xms" + options.heap);
    command.add("-Xmx" + options.heap);
    command.add("-XX:+UseG1GC");
    command.add("-Dsun.net.httpserver.nodelay=true");
    command.add("-Xlog:gc:file=" + gcLog + ":uptime");
    switch (variant) {
      case OPSAGENT -> command.add("-javaagent:" + options.opsagentJar);
      case OTEL -> command.add("-javaagent:" + options.otelJar);
      default -> {}
    }
    if (variant != Variant.NONE) {
      command.add("-Dotel.service.name=" + SERVICE);
      command.add("-Dotel.exporter.otlp.endpoint=" + sink.endpoint());
      command.add("-Dotel.exporter.otlp.protocol=http/protobuf");
    }
    if (executorSpans) {
      command.add("-Dopsagent.executor.spans=true");
      // The agent's counts every 5 s, so that drops in the warm-up and in the measured window are
      // told apart; the span pipeline keeps its defaults. (Every second, the metrics' first,
      // cold exports took CPU from the spans' in the start-up's first second: 3–4 times the
      // drops in the warm-up.)
      command.add("-Dotel.metric.export.interval=5000");
    }
    command.add("-cp");
    command.add(options.appClasses.toString());
    command.add(OverheadApp.class.getName());
    command.add(Integer.toString(options.poolSize));
    // AppProcess appends the port.
    return command;
  }

  /** A Java thread's name as Linux shows it: its first 15 bytes (what the JVM sets). */
  static String kernelName(String javaName) {
    byte[] bytes = javaName.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 15 ? javaName : new String(bytes, 0, 15, StandardCharsets.UTF_8);
  }

  private static Predicate<String> startLine(Variant variant) {
    switch (variant) {
      case OPSAGENT:
        return line -> line.contains("[opsagent]") && line.contains(" started in ");
      case OTEL:
        return line -> line.contains("opentelemetry-javaagent - version");
      default:
        return line -> false;
    }
  }

  /** The agents' warnings and errors, and any line about a failed export. */
  private static List<String> agentProblems(List<String> stderr) {
    List<String> problems = new ArrayList<>();
    for (String line : stderr) {
      if (line.contains("Sharing is only supported for boot loader classes")) {
        continue; // The JVM's notice for any agent on the boot class path (README).
      }
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.contains(" warn")
          || lower.contains(" error")
          || lower.contains("severe")
          || lower.contains("failed to export")) {
        problems.add(line);
      }
    }
    return problems;
  }

  /** Forgets whatever arrived between runs (nothing should). */
  private void drainSink() {
    OtlpSink.Counts left = sink.take();
    if (left.spans() + left.metricRequests() + left.logRecords() > 0) {
      log("  (between runs the receiver got %d spans, discarded)", left.spans());
    }
  }

  /** Waits until no export request has come for a second (15 s at most), then takes the counts. */
  private OtlpSink.Counts awaitQuietSink() throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (sink.quietNanos() < 1_000_000_000L && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return sink.take();
  }

  static void log(String format, Object... args) {
    System.err.printf("[overhead %s] %s%n", Instant.now(), String.format(format, args));
  }
}
