/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.api;

import dev.opsagent.config.Keys;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only: makes chosen points of the agent throw, so that tests prove a failing agent never
 * harms the application. The system property {@code opsagent.test.fail} switches it on; it is read
 * once, as this class initializes. Unset, as in production, {@link #ON} is {@code false}, a
 * constant the JIT folds: every check compiles to nothing.
 *
 * <p>The property holds points, separated by commas:
 *
 * <ul>
 *   <li>an instrumentation's name ({@code jdk-http-server}, {@code servlet}, {@code jetty}, {@code
 *       undertow}, {@code executors}, {@code threads}): its helpers throw where its {@link
 *       InstrumentationHealth#checkpoint()} is, once per request, task or thread handed off;
 *   <li>{@value #CPU_ACCOUNTING}: reading the calling thread's counters (CPU time and the rest)
 *       throws, in every instrumentation that reads them;
 *   <li>{@code transform:<class>}: weaving the class of that binary name throws.
 * </ul>
 *
 * A point followed by {@code /n} throws at every n-th pass only (the n-th, the 2n-th...): {@code
 * jdk-http-server/2} fails every second request.
 */
public final class FaultInjection {

  /** The readings of the calling thread's counters. */
  public static final String CPU_ACCOUNTING = "cpu-accounting";

  private static final String TRANSFORM = "transform:";

  private static final Map<String, Point> POINTS = parse(System.getProperty(Keys.TEST_FAIL));

  /** Whether any point fails: {@code false} unless a test asked for faults. */
  public static final boolean ON = !POINTS.isEmpty();

  private FaultInjection() {}

  /**
   * @return the point of that name, {@code null} when it never fails
   */
  public static Point point(String name) {
    return POINTS.get(name);
  }

  /**
   * Passes {@code point}: throws when it is due to fail. Free when fault injection is off.
   *
   * @param point what {@link #point} returned
   */
  public static void pass(Point point) {
    if (ON && point != null) {
      point.pass();
    }
  }

  /** Passes the point that makes weaving the class of that binary name fail, if there is one. */
  public static void passTransform(String className) {
    if (ON) {
      pass(point(TRANSFORM + className));
    }
  }

  static Map<String, Point> parse(String value) {
    if (value == null || value.isBlank()) {
      return Collections.emptyMap();
    }
    Map<String, Point> points = new HashMap<>();
    for (String part : value.split(",")) {
      String spec = part.trim();
      if (spec.isEmpty()) {
        continue;
      }
      int slash = spec.lastIndexOf('/');
      String name = slash < 0 ? spec : spec.substring(0, slash);
      points.put(name, new Point(name, slash < 0 ? 1 : every(spec.substring(slash + 1))));
    }
    return Collections.unmodifiableMap(points);
  }

  /** A test's typo must not keep the agent from starting: it fails at every pass instead. */
  private static long every(String n) {
    try {
      return Math.max(1, Long.parseLong(n));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** One place that fails, at every pass or every n-th. */
  public static final class Point {
    private final String name;
    private final long every;
    private final AtomicLong passes = new AtomicLong();

    Point(String name, long every) {
      this.name = name;
      this.every = every;
    }

    void pass() {
      if (passes.incrementAndGet() % every == 0) {
        throw new InjectedFault(name);
      }
    }
  }

  /** What a point throws. */
  static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String point) {
      super("fault injected at " + point + " (" + Keys.TEST_FAIL + ", for tests only)");
    }
  }
}
