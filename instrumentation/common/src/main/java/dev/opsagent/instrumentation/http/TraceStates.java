/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

/**
 * The W3C {@code tracestate} header a request brings, kept within the length W3C Trace Context asks
 * vendors to carry: the span joins the caller's trace with its trace state and exports it, so a
 * client's oversized header would otherwise ride along in every span of the request (the SDK
 * accepts some 16,000 characters: 32 members, keys and values of up to 256 characters). The SDK
 * drops a header of more than 32 members or with a malformed member whole.
 */
final class TraceStates {

  /** What W3C Trace Context asks vendors to propagate at least of a combined header. */
  static final int MAX_LENGTH = 512;

  /** Members longer than this are the first to go when the header must be cut (W3C). */
  static final int MAX_MEMBER_LENGTH_WHEN_CUT = 128;

  private TraceStates() {}

  /**
   * @return {@code tracestate} as received when it has at most {@value #MAX_LENGTH} characters;
   *     else cut as W3C Trace Context says: members longer than {@value
   *     #MAX_MEMBER_LENGTH_WHEN_CUT} characters left out first, then members from the end until the
   *     rest fits
   */
  static String bounded(String tracestate) {
    if (tracestate == null || tracestate.length() <= MAX_LENGTH) {
      return tracestate;
    }
    StringBuilder kept = new StringBuilder(MAX_LENGTH);
    int start = 0;
    while (start < tracestate.length()) {
      int end = tracestate.indexOf(',', start);
      if (end < 0) {
        end = tracestate.length();
      }
      int memberStart = start;
      int memberEnd = end;
      while (memberStart < memberEnd && isOptionalWhitespace(tracestate.charAt(memberStart))) {
        memberStart++;
      }
      while (memberEnd > memberStart && isOptionalWhitespace(tracestate.charAt(memberEnd - 1))) {
        memberEnd--;
      }
      int memberLength = memberEnd - memberStart;
      if (memberLength > 0 && memberLength <= MAX_MEMBER_LENGTH_WHEN_CUT) {
        int separator = kept.length() == 0 ? 0 : 1;
        if (kept.length() + separator + memberLength > MAX_LENGTH) {
          break;
        }
        if (separator > 0) {
          kept.append(',');
        }
        kept.append(tracestate, memberStart, memberEnd);
      }
      start = end + 1;
    }
    return kept.toString();
  }

  private static boolean isOptionalWhitespace(char c) {
    return c == ' ' || c == '\t';
  }
}
