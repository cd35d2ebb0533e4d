/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {

  private static final long MB = 1 << 20;

  /** Lines as {@code -Xlog:gc:file=...:uptime} writes them (G1, JDK 17). */
  private static final List<String> LOG =
      List.of(
          "[0.006s] Using G1",
          "[1.500s] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 20M->4M(256M) 3.1ms",
          "[3.000s] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 150M->6M(256M) 4.2ms",
          "[4.000s] GC(2) Pause Young (Concurrent Start) (G1 Humongous Allocation) 100M->7M(256M)"
              + " 2.0ms",
          "[4.010s] GC(3) Concurrent Mark Cycle",
          "[4.100s] GC(3) Pause Remark 9M->9M(256M) 1.0ms",
          "[6.000s] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 200M->8M(256M) 4.0ms");

  @Test
  void sumsWhatEachPauseFoundSinceThePreviousOneLeft() {
    // From 2.0 s (heap 50 MB) to 5.0 s (heap 30 MB): 150-50, 100-6, 9-7, then 30-9.
    long[] result = GcLog.allocated(LOG, 2000, 50 * MB, 5000, 30 * MB);

    assertThat(result[0]).isEqualTo((100 + 94 + 2 + 21) * MB);
    assertThat(result[1]).isEqualTo(3);
  }

  @Test
  void noPauseInTheWindowIsTheHeapsGrowth() {
    long[] result = GcLog.allocated(LOG, 4500, 10 * MB, 5500, 60 * MB);

    assertThat(result[0]).isEqualTo(50 * MB);
    assertThat(result[1]).isZero();
  }
}
