/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import io.opentelemetry.api.common.AttributeKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What of a request and its response may be recorded, and how: which headers are captured, which
 * are never recorded in clear, how long a header value may be, and which query parameters have
 * their value redacted.
 */
public final class HttpCapture {

  /** The value recorded in place of a sensitive header's value. */
  public static final String REDACTED_HEADER = "[REDACTED]";

  /** The value recorded in place of a sensitive query parameter's value (semantic conventions). */
  public static final String REDACTED_QUERY_VALUE = "REDACTED";

  private static final Set<String> SENSITIVE_HEADERS =
      new HashSet<>(Arrays.asList("authorization", "cookie", "set-cookie", "proxy-authorization"));

  private static final List<String> SENSITIVE_QUERY_PARAMETERS =
      Arrays.asList(
          "password",
          "passwd",
          "pwd",
          "token",
          "access_token",
          "refresh_token",
          "secret",
          "client_secret",
          "api_key",
          "apikey",
          "sig",
          "signature",
          "awsaccesskeyid",
          "x-goog-signature",
          "x-amz-signature",
          "x-amz-credential",
          "x-amz-security-token");

  private static final int DEFAULT_HEADER_VALUE_MAX_LENGTH = 512;

  private final List<CapturedHeader> requestHeaders;
  private final List<CapturedHeader> responseHeaders;
  private final int headerValueMaxLength;

  /**
   * The query parameters whose value is redacted, lower case, by their length: a parameter name is
   * compared in place, without being copied out of the query, and only with the names as long as
   * it.
   */
  private final String[][] sensitiveQueryParametersByLength;

  /** A configured header: its lower-case name, its attribute key, whether it is sensitive. */
  static final class CapturedHeader {
    final String name;
    final AttributeKey<List<String>> key;
    final boolean sensitive;

    CapturedHeader(String name, AttributeKey<List<String>> key, boolean sensitive) {
      this.name = name;
      this.key = key;
      this.sensitive = sensitive;
    }
  }

  private final boolean taskSpans;

  private HttpCapture(
      List<CapturedHeader> requestHeaders,
      List<CapturedHeader> responseHeaders,
      int headerValueMaxLength,
      Set<String> sensitiveQueryParameters,
      boolean taskSpans) {
    this.requestHeaders = requestHeaders;
    this.responseHeaders = responseHeaders;
    this.headerValueMaxLength = headerValueMaxLength;
    this.sensitiveQueryParametersByLength = byLength(sensitiveQueryParameters);
    this.taskSpans = taskSpans;
  }

  public static HttpCapture from(Config config) {
    List<Pattern> redact = new ArrayList<>();
    for (String glob : config.getList(Keys.REDACT_HEADERS)) {
      redact.add(globPattern(glob));
    }
    Set<String> queryParameters = new HashSet<>(SENSITIVE_QUERY_PARAMETERS);
    for (String name : config.getList(Keys.REDACT_QUERY_PARAMETERS)) {
      queryParameters.add(name.toLowerCase(Locale.ROOT));
    }
    return new HttpCapture(
        headers(config.getList(Keys.CAPTURE_REQUEST_HEADERS), "http.request.header.", redact),
        headers(config.getList(Keys.CAPTURE_RESPONSE_HEADERS), "http.response.header.", redact),
        config.getInt(Keys.HEADER_VALUE_MAX_LENGTH, DEFAULT_HEADER_VALUE_MAX_LENGTH, 1),
        queryParameters,
        config.getBoolean(Keys.EXECUTOR_SPANS, false));
  }

  /**
   * @return whether each task run for a request gets an INTERNAL span of its own ({@code
   *     opsagent.executor.spans})
   */
  boolean taskSpans() {
    return taskSpans;
  }

  private static List<CapturedHeader> headers(
      List<String> names, String prefix, List<Pattern> redact) {
    List<CapturedHeader> headers = new ArrayList<>();
    for (String configured : names) {
      String name = configured.toLowerCase(Locale.ROOT);
      headers.add(
          new CapturedHeader(
              name, AttributeKey.stringArrayKey(prefix + name), isSensitive(name, redact)));
    }
    return Collections.unmodifiableList(headers);
  }

  static boolean isSensitive(String lowerCaseName, List<Pattern> redact) {
    if (SENSITIVE_HEADERS.contains(lowerCaseName)) {
      return true;
    }
    for (Pattern pattern : redact) {
      if (pattern.matcher(lowerCaseName).matches()) {
        return true;
      }
    }
    return false;
  }

  /** {@code *} matches any run of characters; the rest is literal; case is ignored. */
  static Pattern globPattern(String glob) {
    StringBuilder regex = new StringBuilder();
    for (String part : glob.toLowerCase(Locale.ROOT).split("\\*", -1)) {
      if (regex.length() > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  List<CapturedHeader> requestHeaders() {
    return requestHeaders;
  }

  List<CapturedHeader> responseHeaders() {
    return responseHeaders;
  }

  /**
   * @return the values to record for a captured header, redacted or cut to the maximum length
   */
  List<String> values(CapturedHeader header, List<String> received) {
    List<String> values = new ArrayList<>(received.size());
    for (String value : received) {
      values.add(header.sensitive ? REDACTED_HEADER : truncate(value));
    }
    return values;
  }

  /**
   * @return the value cut to the configured maximum length for header values
   */
  String truncate(String value) {
    return value.length() <= headerValueMaxLength
        ? value
        : value.substring(0, headerValueMaxLength);
  }

  /**
   * @return the query with the value of every sensitive parameter replaced by {@value
   *     #REDACTED_QUERY_VALUE}; the same instance when nothing is sensitive
   */
  public String redactQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return rawQuery;
    }
    StringBuilder redacted = null;
    int start = 0;
    while (start <= rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      int eq = rawQuery.indexOf('=', start);
      boolean sensitive = eq >= 0 && eq < end && isSensitiveParameter(rawQuery, start, eq);
      if (sensitive && redacted == null) {
        redacted = new StringBuilder(rawQuery.length()).append(rawQuery, 0, start);
      }
      if (redacted != null) {
        if (sensitive) {
          redacted.append(rawQuery, start, eq + 1).append(REDACTED_QUERY_VALUE);
        } else {
          redacted.append(rawQuery, start, end);
        }
        if (end < rawQuery.length()) {
          redacted.append('&');
        }
      }
      start = end + 1;
    }
    return redacted == null ? rawQuery : redacted.toString();
  }

  /**
   * @return whether the parameter name {@code query[start, end)} is sensitive, compared in place
   *     ignoring case: no substring per parameter
   */
  private boolean isSensitiveParameter(String query, int start, int end) {
    int length = end - start;
    if (length >= sensitiveQueryParametersByLength.length) {
      return false;
    }
    for (String name : sensitiveQueryParametersByLength[length]) {
      if (query.regionMatches(true, start, name, 0, length)) {
        return true;
      }
    }
    return false;
  }

  private static String[][] byLength(Set<String> names) {
    int longest = 0;
    for (String name : names) {
      longest = Math.max(longest, name.length());
    }
    String[][] byLength = new String[longest + 1][];
    for (int length = 0; length <= longest; length++) {
      List<String> ofLength = new ArrayList<>();
      for (String name : names) {
        if (name.length() == length) {
          ofLength.add(name);
        }
      }
      byLength[length] = ofLength.toArray(new String[0]);
    }
    return byLength;
  }
}
