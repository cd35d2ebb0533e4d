/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The table of {@code list}: one JVM a row, columns as wide as their widest cell, the last one
 * unpadded.
 *
 * <pre>
 * PID     JAVA      OPSAGENT                MAIN
 * 12345   17.0.15   0.1.0 active (attach)   com.example.Server
 * 12377   25.0.3    -                       app.jar
 * </pre>
 */
final class JvmTable {

  static final List<String> HEADINGS = List.of("PID", "JAVA", "OPSAGENT", "MAIN");

  private static final String GAP = "   ";

  private final List<List<String>> rows = new ArrayList<>();

  /** Adds a JVM: PID, Java version, opsagent's state, main class or jar. */
  void add(long pid, String java, String opsagent, String main) {
    rows.add(List.of(Long.toString(pid), java, opsagent, main));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /** The headings and the rows, one line each, lines ending with {@code \n}. */
  String render() {
    List<List<String>> lines = new ArrayList<>();
    lines.add(HEADINGS);
    lines.addAll(rows);
    int[] widths = new int[HEADINGS.size()];
    for (List<String> line : lines) {
      for (int column = 0; column < widths.length; column++) {
        widths[column] = Math.max(widths[column], line.get(column).length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (List<String> line : lines) {
      for (int column = 0; column < widths.length - 1; column++) {
        String cell = line.get(column);
        text.append(cell).append(" ".repeat(widths[column] - cell.length())).append(GAP);
      }
      text.append(line.get(widths.length - 1)).append('\n');
    }
    return text.toString();
  }
}
