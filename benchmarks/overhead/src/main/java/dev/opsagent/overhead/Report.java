/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import dev.opsagent.overhead.OverheadHarness.ExportStep;
import dev.opsagent.overhead.OverheadHarness.Load;
import dev.opsagent.overhead.OverheadHarness.Run;
import dev.opsagent.overhead.OverheadHarness.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/** The markdown report: medians per variant, deltas or ratios to no agent, budgets. */
final class Report {

  /** 6 MB as the README counts jar sizes: decimal megabytes. */
  private static final long JAR_BUDGET = 6_000_000;

  private static final double SPANS_BUDGET = 50_000;

  /**
   * Spans received against spans produced over the measured window (exports lag by a batch), and
   * produced against the target rate (the load reaches 99.6 % of it).
   */
  private static final double RECEIVED_SHARE = 0.98;

  private final Options options;
  private final List<Run> runs;
  private final List<ExportStep> steps;
  private final StringBuilder out = new StringBuilder();

  Report(Options options, List<Run> runs, List<ExportStep> steps) {
    this.options = options;
    this.runs = runs;
    this.steps = steps;
  }

  String markdown() {
    line(
        "Whole-process overhead: %d interleaved round(s) (no agent, opsagent, OTel agent), medians;"
            + " app JVM `%s` (%s), `-Xms%s -Xmx%s`, request pool of %d; wrk `-t%d -c%d`, %d s"
            + " warm-up, %d s measured, per endpoint.",
        options.rounds,
        options.java,
        javaVersion(),
        options.heap,
        options.heap,
        options.poolSize,
        options.threads,
        options.connections,
        options.warmupSeconds,
        options.durationSeconds);
    line("");
    if (!runs.isEmpty()) {
      mainTable();
      line("");
    }
    if (!steps.isEmpty()) {
      exportTable();
      line("");
    }
    if (!runs.isEmpty()) {
      cpuBreakdown();
      line("");
      agentThreads();
      line("");
      roundsTable();
    }
    return out.toString();
  }

  private void mainTable() {
    line("| | no agent | opsagent | vs none | OTel agent | vs none | budget | opsagent |");
    line("|---|---:|---:|---:|---:|---:|---|---|");
    delta("start-up to first 200 (ms)", r -> r.startupMs(), 0, "≤ +200 ms", 200);
    row(
        "agent's start-up line at (ms)",
        "–",
        fmt(median(Variant.OPSAGENT, Run::startLineMs), 0),
        "",
        fmt(median(Variant.OTEL, Run::startLineMs), 0),
        "",
        "",
        "");
    delta("RSS idle, 2 s after start-up (MB)", r -> r.rssIdle() / 1e6, 1, "≤ +25 MB", 25);
    delta("RSS after load (MB)", r -> r.rssAfterLoad() / 1e6, 1, "≤ +40 MB", 40);
    for (String path : List.of(OverheadHarness.HELLO, OverheadHarness.CPU)) {
      boolean hello = path.equals(OverheadHarness.HELLO);
      ratio(
          path + " throughput (req/s)",
          r -> load(r, path).wrk().requestsPerSecond(),
          0,
          hello ? "≥ 0.95×" : "",
          hello ? 0.95 : Double.NaN,
          true);
      ratio(path + " p50 (ms)", r -> load(r, path).wrk().p50Millis(), 2, "", Double.NaN, false);
      ratio(
          path + " p99 (ms)",
          r -> load(r, path).wrk().p99Millis(),
          2,
          hello ? "≤ 1.10×" : "",
          hello ? 1.10 : Double.NaN,
          false);
    }
    String fixed = "/hello at " + fmt(options.fixedRate, 0) + " req/s fixed rate";
    ratio(
        fixed + ": achieved (req/s)",
        r -> r.fixedRate().requestsPerSecond(),
        0,
        "",
        Double.NaN,
        true);
    ratio(fixed + ": p50 (ms)", r -> r.fixedRate().p50Millis(), 2, "", Double.NaN, false);
    ratio(fixed + ": p99 (ms)", r -> r.fixedRate().p99Millis(), 2, "", Double.NaN, false);
    for (String path : List.of(OverheadHarness.HELLO, OverheadHarness.CPU)) {
      delta(
          path + " allocated per request (B)",
          r -> load(r, path).allocatedPerRequest(),
          0,
          "",
          Double.NaN);
      delta(
          "  on the app's threads (B)",
          r -> load(r, path).categoryPerRequest("app"),
          0,
          "",
          Double.NaN);
      delta(
          "  on the agent's threads (B)",
          r -> load(r, path).categoryPerRequest("agent"),
          0,
          "",
          Double.NaN);
      delta(
          "  GC log estimate (B)",
          r -> (double) load(r, path).gcAllocated() / load(r, path).served(),
          0,
          "",
          Double.NaN);
    }
    double spanBytesOps = spanBytes(Variant.OPSAGENT);
    double spanBytesOtel = spanBytes(Variant.OTEL);
    row(
        "OTLP bytes per span received",
        "–",
        fmt(spanBytesOps, 0),
        "",
        fmt(spanBytesOtel, 0),
        "",
        "",
        "");
    double none = median(Variant.NONE, r -> load(r, OverheadHarness.HELLO).allocatedPerRequest());
    double beyondOps =
        median(Variant.OPSAGENT, r -> load(r, OverheadHarness.HELLO).allocatedPerRequest())
            - none
            - spanBytesOps;
    double beyondOtel =
        median(Variant.OTEL, r -> load(r, OverheadHarness.HELLO).allocatedPerRequest())
            - none
            - spanBytesOtel;
    row(
        "/hello allocation beyond the span's OTLP bytes (B)",
        "–",
        fmt(beyondOps, 0),
        "",
        fmt(beyondOtel, 0),
        "",
        "≤ 1 KB",
        verdict(beyondOps <= 1024));
    // Where each request's CPU goes: the server, wrk, the receiver, the whole machine.
    Map<String, ToDoubleFunction<Load>> cpuRows = new LinkedHashMap<>();
    cpuRows.put(" process CPU per request (µs)", Load::cpuMicrosPerRequest);
    cpuRows.put(" wrk's CPU per request (µs)", Load::wrkMicrosPerRequest);
    cpuRows.put(" receiver's CPU per request (µs)", Load::receiverMicrosPerRequest);
    cpuRows.put(" machine's busy CPU per request (µs)", Load::machineMicrosPerRequest);
    cpuRows.put(" agent threads' CPU (% of a core)", l -> l.agentCores() * 100);
    for (String path : List.of(OverheadHarness.HELLO, OverheadHarness.CPU)) {
      cpuRows.forEach(
          (label, metric) ->
              delta(path + label, r -> metric.applyAsDouble(load(r, path)), 1, "", Double.NaN));
    }
    long opsJar = size(options.opsagentJar);
    long otelJar = size(options.otelJar);
    row(
        "agent jar (MB)",
        "–",
        fmt(opsJar / 1e6, 2),
        "",
        fmt(otelJar / 1e6, 2),
        "",
        "≤ 6 MB",
        verdict(opsJar <= JAR_BUDGET));
    row(
        "spans received / requests served (all runs)",
        spansOfServed(Variant.NONE),
        spansOfServed(Variant.OPSAGENT),
        "",
        spansOfServed(Variant.OTEL),
        "",
        "",
        "");
    row(
        "export problems: rejected / dropped / failed / agent warnings",
        problems(Variant.NONE),
        problems(Variant.OPSAGENT),
        "",
        problems(Variant.OTEL),
        "",
        "",
        "");
    row(
        "trace export body arrival at the receiver, median (ms)",
        "–",
        fmt(median(Variant.OPSAGENT, r -> r.received().medianReadMillis()), 1),
        "",
        fmt(median(Variant.OTEL, r -> r.received().medianReadMillis()), 1),
        "",
        "",
        "");
    row(
        "metric points received (all runs)",
        sum(Variant.NONE, r -> r.received().metricPoints()),
        sum(Variant.OPSAGENT, r -> r.received().metricPoints()),
        "",
        sum(Variant.OTEL, r -> r.received().metricPoints()),
        "",
        "",
        "");
    row(
        "other processes' CPU while measured, max (cores)",
        fmt(max(Variant.NONE, this::otherCores), 2),
        fmt(max(Variant.OPSAGENT, this::otherCores), 2),
        "",
        fmt(max(Variant.OTEL, this::otherCores), 2),
        "",
        "",
        "");
    if (!steps.isEmpty()) {
      ExportStep best = null;
      for (ExportStep step : steps) {
        if (step.dropped() == 0
            && step.exportFailed() == 0
            // Over the window: the JVM's whole life also has requests served before the agent
            // was installed, which have no span.
            && step.receivedPerSecond() >= RECEIVED_SHARE * step.producedPerSecond()
            && step.producedPerSecond() >= RECEIVED_SHARE * step.targetSpansPerSecond()
            && step.load().errors() == 0
            && (best == null || step.receivedPerSecond() > best.receivedPerSecond())) {
          best = step;
        }
      }
      row(
          "sustained export without drops after the warm-up (spans/s)",
          "–",
          best == null
              ? "none without drops"
              : fmt(best.targetSpansPerSecond(), 0)
                  + " (received "
                  + fmt(best.receivedPerSecond(), 0)
                  + ")",
          "",
          "",
          "",
          "≥ 50,000 spans/s",
          verdict(best != null && best.targetSpansPerSecond() >= SPANS_BUDGET));
    }
  }

  private void exportTable() {
    line(
        "Sustained export, opsagent with `opsagent.executor.spans=true` and default batch settings"
            + " (queue 2048, batch 512, 5 s delay): `/fanout?n=%d` (each request hands %d tasks to"
            + " a 2-thread pool: %d spans per request) at a fixed rate over %d connections, %d s"
            + " warm-up at that rate, %d s measured; per second: over the measured window (received:"
            + " arrivals at the receiver meanwhile); produced and received: over the JVM's whole life;"
            + " dropped: the batch span processor's counter (`processedSpans`, `dropped=true`),"
            + " opsagent's `opsagent.export.dropped` (the agent's metrics every 5 s), in the"
            + " warm-up (from the JVM's start, under the load) and in the measured window;"
            + " receiver and load: the harness's process.",
        options.fanout,
        options.fanout,
        options.fanout + 1,
        options.rateConnections,
        options.exportWarmupSeconds,
        options.exportSeconds);
    line("");
    line(
        "| target spans/s | requests/s | p99 (ms) | spans produced/s | spans received/s | produced |"
            + " received | dropped in warm-up | dropped | export failed | body arrival, median (ms) | bodies ≥ 30 ms |"
            + " agent threads (cores) | receiver and load (cores) | other processes (cores) |");
    line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (ExportStep step : steps) {
      line(
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
          fmt(step.targetSpansPerSecond(), 0),
          fmt(step.load().requestsPerSecond(), 0),
          fmt(step.load().p99Millis(), 2),
          fmt(step.producedPerSecond(), 0),
          fmt(step.receivedPerSecond(), 0),
          fmt(step.produced(), 0),
          fmt(step.received(), 0),
          fmt(step.droppedInWarmUp(), 0),
          fmt(step.dropped(), 0),
          fmt(step.exportFailed(), 0),
          fmt(step.medianReadMillis(), 1),
          fmt(step.slowReadShare() * 100, 0) + " %",
          fmt(step.agentCores(), 2),
          fmt(step.harnessCores(), 2),
          fmt(step.otherCores(), 2));
    }
  }

  /** Process CPU per request by thread group, medians, µs. */
  private void cpuBreakdown() {
    line(
        "Process CPU per request by thread group (µs, medians; kernel thread names from `/proc`):");
    line("");
    line("| endpoint | variant | app | agent | jit | gc+vm | other | total |");
    line("|---|---|---:|---:|---:|---:|---:|---:|");
    for (String path : List.of(OverheadHarness.HELLO, OverheadHarness.CPU)) {
      for (Variant variant : Variant.values()) {
        StringBuilder cells = new StringBuilder();
        for (String category : List.of("app", "agent", "jit", "gc+vm", "other")) {
          double value =
              median(
                  variant,
                  r ->
                      load(r, path).ticksByCategory().getOrDefault(category, 0L)
                          * 1e6
                          / Proc.HZ
                          / load(r, path).served());
          cells.append(" ").append(fmt(value, 1)).append(" |");
        }
        line(
            "| %s | %s |%s %s |",
            path,
            variant.label,
            cells,
            fmt(median(variant, r -> load(r, path).cpuMicrosPerRequest()), 1));
      }
    }
  }

  /** Each agent thread's CPU (% of a core) and allocation per request, medians over rounds. */
  private void agentThreads() {
    line("Agent threads during the measured load (medians over rounds):");
    line("");
    line(
        "| endpoint | variant | thread (first 15 characters) | CPU (% of a core) |"
            + " allocated per request (B) |");
    line("|---|---|---|---:|---:|");
    for (String path : List.of(OverheadHarness.HELLO, OverheadHarness.CPU)) {
      for (Variant variant : List.of(Variant.OPSAGENT, Variant.OTEL)) {
        Set<String> names = new TreeSet<>();
        for (Run run : runs(variant)) {
          names.addAll(load(run, path).ticksByAgentThread().keySet());
          names.addAll(load(run, path).allocatedByAgentThread().keySet());
        }
        Map<String, double[]> rows = new TreeMap<>();
        for (String name : names) {
          double cpu =
              median(
                  variant,
                  r ->
                      load(r, path).ticksByAgentThread().getOrDefault(name, 0L)
                          * 100.0
                          / Proc.HZ
                          / load(r, path).seconds());
          double alloc =
              median(
                  variant,
                  r ->
                      (double) load(r, path).allocatedByAgentThread().getOrDefault(name, 0L)
                          / load(r, path).served());
          rows.put(name, new double[] {cpu, alloc});
        }
        rows.forEach(
            (name, values) -> {
              if (values[0] > 0.05 || values[1] >= 0.5) {
                line(
                    "| %s | %s | `%s` | %s | %s |",
                    path, variant.label, name, fmt(values[0], 1), fmt(values[1], 0));
              }
            });
      }
    }
  }

  private void roundsTable() {
    line("Every run:");
    line("");
    line(
        "| round | variant | start-up (ms) | agent line (ms) | RSS idle (MB) | RSS after load (MB) |"
            + " /hello req/s | /hello p99 (ms) | /cpu req/s | /cpu p99 (ms) | /hello B/request |"
            + " /hello fixed-rate p99 (ms) | spans / served | /hello window: spans / served | other CPU /hello, /cpu (cores) | load avg |");
    line("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    for (Run run : runs) {
      Load hello = load(run, OverheadHarness.HELLO);
      Load cpu = load(run, OverheadHarness.CPU);
      line(
          "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d / %d | %d / %d | %s, %s |"
              + " %s |",
          run.round(),
          run.variant().label,
          fmt(run.startupMs(), 0),
          fmt(run.startLineMs(), 0),
          fmt(run.rssIdle() / 1e6, 1),
          fmt(run.rssAfterLoad() / 1e6, 1),
          fmt(hello.wrk().requestsPerSecond(), 0),
          fmt(hello.wrk().p99Millis(), 2),
          fmt(cpu.wrk().requestsPerSecond(), 0),
          fmt(cpu.wrk().p99Millis(), 2),
          fmt(hello.allocatedPerRequest(), 0),
          fmt(run.fixedRate().p99Millis(), 2),
          run.received().spans(),
          run.served(),
          hello.spansReceived(),
          hello.served(),
          fmt(hello.otherCores(), 2),
          fmt(cpu.otherCores(), 2),
          fmt(Math.max(hello.loadAverage(), cpu.loadAverage()), 2));
    }
  }

  private double otherCores(Run run) {
    return Math.max(
        load(run, OverheadHarness.HELLO).otherCores(), load(run, OverheadHarness.CPU).otherCores());
  }

  private String spansOfServed(Variant variant) {
    long spans = 0;
    long served = 0;
    for (Run run : runs(variant)) {
      spans += run.received().spans();
      served += run.served();
    }
    return spans + " / " + served;
  }

  private String problems(Variant variant) {
    long rejected = 0;
    double dropped = 0;
    double failed = 0;
    long warnings = 0;
    for (Run run : runs(variant)) {
      rejected += run.received().rejected();
      dropped += run.received().metric(OtlpSink.DROPPED);
      failed += run.received().metric(OtlpSink.EXPORT_FAILED);
      warnings += run.agentProblems().size();
    }
    return rejected + " / " + fmt(dropped, 0) + " / " + fmt(failed, 0) + " / " + warnings;
  }

  private double spanBytes(Variant variant) {
    long bytes = 0;
    long spans = 0;
    for (Run run : runs(variant)) {
      bytes += run.received().spanBytes();
      spans += run.received().spans();
    }
    return spans == 0 ? Double.NaN : (double) bytes / spans;
  }

  private void delta(
      String label, ToDoubleFunction<Run> metric, int decimals, String budget, double maxDelta) {
    double none = median(Variant.NONE, metric);
    double ops = median(Variant.OPSAGENT, metric);
    double otel = median(Variant.OTEL, metric);
    row(
        label,
        fmt(none, decimals),
        fmt(ops, decimals),
        signed(ops - none, decimals),
        fmt(otel, decimals),
        signed(otel - none, decimals),
        budget,
        Double.isNaN(maxDelta) ? "" : verdict(ops - none <= maxDelta));
  }

  private void ratio(
      String label,
      ToDoubleFunction<Run> metric,
      int decimals,
      String budget,
      double bound,
      boolean atLeast) {
    double none = median(Variant.NONE, metric);
    double ops = median(Variant.OPSAGENT, metric);
    double otel = median(Variant.OTEL, metric);
    double opsRatio = ops / none;
    row(
        label,
        fmt(none, decimals),
        fmt(ops, decimals),
        fmt(opsRatio, 2) + "×",
        fmt(otel, decimals),
        fmt(otel / none, 2) + "×",
        budget,
        Double.isNaN(bound) ? "" : verdict(atLeast ? opsRatio >= bound : opsRatio <= bound));
  }

  private void row(String... cells) {
    line("| " + String.join(" | ", cells) + " |");
  }

  private static String verdict(boolean met) {
    return met ? "met" : "**missed**";
  }

  private List<Run> runs(Variant variant) {
    List<Run> selected = new ArrayList<>();
    for (Run run : runs) {
      if (run.variant() == variant) {
        selected.add(run);
      }
    }
    return selected;
  }

  private double median(Variant variant, ToDoubleFunction<Run> metric) {
    return median(runs(variant).stream().mapToDouble(metric).toArray());
  }

  private double max(Variant variant, ToDoubleFunction<Run> metric) {
    return runs(variant).stream().mapToDouble(metric).max().orElse(Double.NaN);
  }

  private String sum(Variant variant, ToDoubleFunction<Run> metric) {
    return fmt(runs(variant).stream().mapToDouble(metric).sum(), 0);
  }

  /** The median of the values that are numbers; NaN if none is. */
  static double median(double[] values) {
    double[] numbers = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (numbers.length == 0) {
      return Double.NaN;
    }
    int middle = numbers.length / 2;
    return numbers.length % 2 == 1 ? numbers[middle] : (numbers[middle - 1] + numbers[middle]) / 2;
  }

  private static Load load(Run run, String path) {
    return run.loads().get(path);
  }

  private static long size(java.nio.file.Path jar) {
    try {
      return Files.size(jar);
    } catch (IOException e) {
      return -1;
    }
  }

  private String javaVersion() {
    try {
      Process process =
          new ProcessBuilder(options.java.toString(), "-version").redirectErrorStream(true).start();
      String text = new String(process.getInputStream().readAllBytes()).trim();
      process.waitFor();
      for (String line : text.split("\n")) {
        if (line.contains("Runtime Environment")) {
          return line.trim();
        }
      }
      return text.split("\n")[0];
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  static String fmt(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }

  private static String signed(double value, int decimals) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return (value >= 0 ? "+" : "") + fmt(value, decimals);
  }

  private void line(String format, Object... args) {
    out.append(args.length == 0 ? format : String.format(Locale.ROOT, format, args)).append('\n');
  }
}
