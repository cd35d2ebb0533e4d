/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** The harness's settings: {@code --key value} arguments, with the defaults documented here. */
final class Options {

  int rounds = 3;
  Path java = Path.of(System.getProperty("java.home"), "bin", "java");
  Path opsagentJar = Path.of("agent/target/opsagent.jar");
  Path otelJar;
  Path appClasses = ownClasses();
  Path out =
      Path.of(
          "benchmarks/overhead/target/results",
          LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  int warmupSeconds = 10;
  int durationSeconds = 10;
  int threads = 1;
  int connections = 16;
  int poolSize = 4;
  String heap = "256m";
  long idleMillis = 2000;
  boolean sustained = true;
  int fixedRate = 3000;
  int rateConnections = 16;
  int fanout = 20;
  List<Integer> exportRates = new ArrayList<>(List.of(10_000, 25_000, 50_000));
  int exportSeconds = 15;

  /**
   * Longer than the other warm-ups: at 50,000 spans/s on 2 cores the JVM takes some 10 s to compile
   * the export path, while the load takes the cores.
   */
  int exportWarmupSeconds = 20;

  private Options() {}

  static Options parse(String[] args) {
    Options options = new Options();
    for (int i = 0; i < args.length; i++) {
      String key = args[i];
      if (key.equals("--no-sustained")) {
        options.sustained = false;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("no value after " + key);
      }
      String value = args[++i];
      switch (key) {
        case "--rounds" -> options.rounds = Integer.parseInt(value); // 0: sustained export only
        case "--java" -> options.java = Path.of(value);
        case "--opsagent" -> options.opsagentJar = Path.of(value);
        case "--otel" -> options.otelJar = Path.of(value);
        case "--app-classes" -> options.appClasses = Path.of(value);
        case "--out" -> options.out = Path.of(value);
        case "--warmup" -> options.warmupSeconds = positive(key, value);
        case "--duration" -> options.durationSeconds = positive(key, value);
        case "--threads" -> options.threads = positive(key, value);
        case "--connections" -> options.connections = positive(key, value);
        case "--pool" -> options.poolSize = positive(key, value);
        case "--heap" -> options.heap = value;
        case "--idle-ms" -> options.idleMillis = positive(key, value);
        case "--fanout" -> options.fanout = positive(key, value);
        case "--export-seconds" -> options.exportSeconds = positive(key, value);
        case "--export-warmup" -> options.exportWarmupSeconds = positive(key, value);
        case "--fixed-rate" -> options.fixedRate = positive(key, value);
        case "--rate-connections" -> options.rateConnections = positive(key, value);
        case "--export-rates" -> {
          options.exportRates.clear();
          for (String part : value.split(",")) {
            options.exportRates.add(positive(key, part.trim()));
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + key);
      }
    }
    if (options.otelJar == null) {
      throw new IllegalArgumentException("--otel <opentelemetry-javaagent.jar> is required");
    }
    return options;
  }

  private static int positive(String key, String value) {
    int number = Integer.parseInt(value);
    if (number <= 0) {
      throw new IllegalArgumentException(key + " must be positive: " + value);
    }
    return number;
  }

  /** The folder (or jar) this class was loaded from: the app's class path. */
  private static Path ownClasses() {
    try {
      return Path.of(Options.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
