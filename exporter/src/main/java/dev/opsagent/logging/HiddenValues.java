/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.logging;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Values no log line of the agent may show, such as the OTLP export headers' API keys: the agent
 * never writes them itself, but a collector's error answer may echo a request's headers, and a
 * library's error message may quote a value it refused. Every line and stack trace the agent logs
 * has them replaced by {@value #MASK}.
 */
public final class HiddenValues {

  static final String MASK = "<hidden>";

  /**
   * Shorter values are left alone: masking them would garble ordinary words and numbers in every
   * line, and a credential is longer.
   */
  static final int MIN_LENGTH = 6;

  private static volatile String[] hidden = new String[0];

  private HiddenValues() {}

  /**
   * Hides {@code values} from now on: each whole, and the credentials of a {@code <scheme>
   * <credentials>} value ({@code Bearer abc}), which an answer may quote alone.
   */
  public static synchronized void hide(Collection<String> values) {
    Set<String> all = new LinkedHashSet<>(Arrays.asList(hidden));
    for (String value : values) {
      String trimmed = value.trim();
      add(all, trimmed);
      add(all, trimmed.substring(trimmed.lastIndexOf(' ') + 1));
    }
    // The longest first: a value that contains another is masked whole.
    hidden =
        all.stream()
            .sorted((a, b) -> Integer.compare(b.length(), a.length()))
            .toArray(String[]::new);
  }

  private static void add(Set<String> all, String value) {
    if (value.length() >= MIN_LENGTH) {
      all.add(value);
    }
  }

  /**
   * @return {@code text} with every hidden value replaced by {@value #MASK}
   */
  public static String mask(String text) {
    String masked = text;
    for (String value : hidden) {
      if (masked.contains(value)) {
        masked = masked.replace(value, MASK);
      }
    }
    return masked;
  }
}
