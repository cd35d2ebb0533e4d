/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Query parameters whose value is never recorded, and the redaction of their values in a query.
 *
 * <p>A parameter's name is compared whole, ignoring case, as an application would read it: after
 * percent-decoding ({@code pass%77ord} is {@code password}). Parameters are separated by {@code &},
 * and also by {@code ;} (the alternative separator of HTML 4, which some servers and frameworks
 * still split on) and {@code #} (a fragment, where a URL in a header has one): splitting more often
 * than the application does can only redact more. Every occurrence of a repeated parameter is
 * redacted; a parameter without {@code =} has no value to redact.
 */
final class SensitiveQueryParameters {

  /**
   * The sensitive names, lower case, by their decoded length: a name is compared in place, without
   * being copied out of the query, and only with the names as long as it.
   */
  private final String[][] byLength;

  /**
   * @param lowerCaseNames the sensitive names, lower case
   */
  SensitiveQueryParameters(Set<String> lowerCaseNames) {
    int longest = 0;
    for (String name : lowerCaseNames) {
      longest = Math.max(longest, name.length());
    }
    byLength = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      List<String> ofLength = new ArrayList<>();
      for (String name : lowerCaseNames) {
        if (name.length() == length) {
          ofLength.add(name);
        }
      }
      byLength[length] = ofLength.toArray(new String[0]);
    }
  }

  /**
   * Redacts the query that starts at {@code queryStart} in {@code text} and cuts the result to
   * {@code maxLength}: one pass over the text, which stops once the part kept is full, and a copy
   * of that part only when a value is redacted.
   *
   * @return {@code text} with the value of every sensitive parameter replaced by {@value
   *     HttpCapture#REDACTED_QUERY_VALUE}, cut to {@code maxLength} characters; the same instance
   *     when nothing is redacted or cut
   */
  String redact(String text, int queryStart, int maxLength) {
    int length = text.length();
    StringBuilder redacted = null;
    int start = queryStart;
    // Until the text is read or the part kept is full; while nothing is redacted, the part kept
    // ends where the next parameter starts.
    while (start <= length && (redacted == null ? start : redacted.length()) < maxLength) {
      int end = start;
      int equals = -1;
      for (; end < length; end++) {
        char c = text.charAt(end);
        if (c == '&' || c == ';' || c == '#') {
          break;
        }
        if (c == '=' && equals < 0) {
          equals = end;
        }
      }
      boolean sensitive = equals > start && isSensitive(text, start, equals);
      if (sensitive && redacted == null) {
        redacted = new StringBuilder(Math.min(length, maxLength) + 16).append(text, 0, start);
      }
      if (redacted != null) {
        if (sensitive) {
          redacted.append(text, start, equals + 1).append(HttpCapture.REDACTED_QUERY_VALUE);
        } else {
          redacted.append(text, start, end);
        }
        if (end < length) {
          redacted.append(text.charAt(end));
        }
      }
      start = end + 1;
    }
    return HttpCapture.cut(redacted == null ? text : redacted.toString(), maxLength);
  }

  /**
   * @return whether the parameter name {@code text[start, end)}, percent-decoded, is sensitive,
   *     ignoring case
   */
  private boolean isSensitive(String text, int start, int end) {
    int rawLength = end - start;
    // Each escape shortens the name by two: a longer one cannot decode to a sensitive name.
    if (rawLength >= byLength.length * 3) {
      return false;
    }
    int escapes = 0;
    for (int i = start; i < end; i++) {
      if (isEscape(text, i, end)) {
        escapes++;
        i += 2;
      }
    }
    int decodedLength = rawLength - 2 * escapes;
    if (decodedLength >= byLength.length) {
      return false;
    }
    for (String name : byLength[decodedLength]) {
      if (escapes == 0
          ? text.regionMatches(true, start, name, 0, decodedLength)
          : decodedEquals(text, start, end, name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return whether {@code text[start, end)}, percent-decoded, is {@code lowerCaseName} ignoring
   *     case; the lengths match already
   */
  private static boolean decodedEquals(String text, int start, int end, String lowerCaseName) {
    int j = 0;
    for (int i = start; i < end; j++) {
      char c;
      if (isEscape(text, i, end)) {
        c =
            (char)
                (Character.digit(text.charAt(i + 1), 16) * 16
                    + Character.digit(text.charAt(i + 2), 16));
        i += 3;
      } else {
        c = text.charAt(i);
        i++;
      }
      if (Character.toLowerCase(c) != lowerCaseName.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  /** A {@code %} followed by two hexadecimal digits, within {@code end}. */
  private static boolean isEscape(String text, int i, int end) {
    return text.charAt(i) == '%'
        && i + 2 < end
        && Character.digit(text.charAt(i + 1), 16) >= 0
        && Character.digit(text.charAt(i + 2), 16) >= 0;
  }
}
