/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.runtime;

/** Class names as telemetry shows them: stable across runs, so they can name spans and series. */
public final class ClassNames {

  private ClassNames() {}

  /**
   * @return the class's name; a lambda's ({@code com.example.Config$$Lambda/0x0000...}, whose
   *     suffix changes from run to run) is the name of the class that defined it
   */
  public static String of(Class<?> type) {
    return withoutLambda(type.getName());
  }

  /**
   * @return {@code name} without a lambda's suffix
   */
  public static String withoutLambda(String name) {
    int lambda = name.indexOf("$$Lambda");
    return lambda < 0 ? name : name.substring(0, lambda);
  }
}
