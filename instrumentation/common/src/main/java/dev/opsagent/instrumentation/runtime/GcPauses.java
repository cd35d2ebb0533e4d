/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Stop-the-world garbage-collection pause time of the whole JVM, so far. The difference between two
 * readings is the pause time of the collections that completed in between: every thread stood still
 * for it, the request's threads included.
 *
 * <p>Read from the collectors' accumulated collection times, which the JVM updates before a
 * collection's caller resumes (so a collection a request triggers is always counted in it), and
 * only from the collectors that stop the world: G1's and ZGC's and Shenandoah's concurrent cycles,
 * which run beside the application, are left out.
 */
public final class GcPauses {

  private static final GarbageCollectorMXBean[] PAUSING = pausingCollectors();

  private GcPauses() {}

  /**
   * @return the JVM's total stop-the-world pause time so far, in nanoseconds
   */
  public static long totalNanos() {
    long millis = 0;
    for (GarbageCollectorMXBean collector : PAUSING) {
      long time = collector.getCollectionTime();
      if (time > 0) {
        millis += time;
      }
    }
    return millis * 1_000_000;
  }

  private static GarbageCollectorMXBean[] pausingCollectors() {
    List<GarbageCollectorMXBean> pausing = new ArrayList<>();
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = collector.getName();
      // "G1 Concurrent GC", "ZGC Cycles", "ZGC Major Cycles", "Shenandoah Cycles": concurrent work.
      if (!name.contains("Concurrent") && !name.contains("Cycles")) {
        pausing.add(collector);
      }
    }
    return pausing.toArray(new GarbageCollectorMXBean[0]);
  }
}
