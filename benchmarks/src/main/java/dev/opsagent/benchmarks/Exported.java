/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.benchmarks;

/**
 * Checks that the spans of a shot went through the batch span processor's queue and were exported,
 * none dropped from a full queue, which is another path than the one measured ({@link Batch}).
 */
final class Exported {

  private Exported() {}

  /**
   * @throws IllegalStateException if not every one of the {@code recorded} spans was exported
   */
  static void check(long recorded, long exported) {
    if (exported != recorded) {
      throw new IllegalStateException(
          recorded + " spans recorded, " + exported + " exported: the queue dropped some");
    }
  }
}
