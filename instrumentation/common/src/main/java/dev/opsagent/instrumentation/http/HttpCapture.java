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
 * are never recorded in clear, which query parameters have their value redacted, and how long what
 * the request brings may be (URL parts, header values, at most {@value #MAX_HEADER_VALUES} values
 * of a header). Whatever a client sends, what is recorded stays within these bounds.
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

  /**
   * The longest {@code url.path} and {@code url.query} recorded by default: the length up to which
   * browsers, proxies and CDNs are known to carry URLs; what comes beyond tells an operator little.
   */
  private static final int DEFAULT_URL_MAX_LENGTH = 2048;

  /**
   * The most values recorded of one header: a header repeated more often than this is not one an
   * operator chose to see.
   */
  public static final int MAX_HEADER_VALUES = 16;

  private final List<CapturedHeader> requestHeaders;
  private final List<CapturedHeader> responseHeaders;
  private final int headerValueMaxLength;
  private final int urlMaxLength;
  private final SensitiveQueryParameters sensitiveQueryParameters;

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
      int urlMaxLength,
      Set<String> sensitiveQueryParameters,
      boolean taskSpans) {
    this.requestHeaders = requestHeaders;
    this.responseHeaders = responseHeaders;
    this.headerValueMaxLength = headerValueMaxLength;
    this.urlMaxLength = urlMaxLength;
    this.sensitiveQueryParameters = new SensitiveQueryParameters(sensitiveQueryParameters);
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
        config.getInt(Keys.URL_MAX_LENGTH, DEFAULT_URL_MAX_LENGTH, 1),
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
   * @return the values to record for a captured header, at most {@value #MAX_HEADER_VALUES}:
   *     redacted if the header is sensitive, else with the values of sensitive query parameters in
   *     a URL they hold redacted ({@code Referer}, {@code Location}), and cut to the maximum length
   */
  List<String> values(CapturedHeader header, List<String> received) {
    int count = Math.min(received.size(), MAX_HEADER_VALUES);
    List<String> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(header.sensitive ? REDACTED_HEADER : headerValue(received.get(i)));
    }
    return values;
  }

  private String headerValue(String value) {
    int query = value.indexOf('?');
    if (query < 0) {
      query = value.indexOf('#');
    }
    return query < 0
        ? truncate(value)
        : sensitiveQueryParameters.redact(value, query + 1, headerValueMaxLength);
  }

  /**
   * @return a value taken from the request's headers or its request line (other than the URL) cut
   *     to the configured maximum length for header values; {@code null} stays {@code null}
   */
  String truncate(String value) {
    return cut(value, headerValueMaxLength);
  }

  /**
   * @return the path as received, cut to the configured maximum length for URL parts
   */
  String path(String rawPath) {
    return cut(rawPath, urlMaxLength);
  }

  /**
   * @return the query with the value of every sensitive parameter replaced by {@value
   *     #REDACTED_QUERY_VALUE}, cut to the configured maximum length for URL parts; the same
   *     instance when nothing is redacted or cut
   */
  public String query(String rawQuery) {
    return rawQuery == null ? null : sensitiveQueryParameters.redact(rawQuery, 0, urlMaxLength);
  }

  /**
   * @return {@code value} cut to {@code maxLength} characters, one less where the cut would split a
   *     surrogate pair, whose half would be exported as {@code ?}; {@code null} stays {@code null}
   */
  static String cut(String value, int maxLength) {
    if (value == null || value.length() <= maxLength) {
      return value;
    }
    int end =
        Character.isHighSurrogate(value.charAt(maxLength - 1))
                && Character.isLowSurrogate(value.charAt(maxLength))
            ? maxLength - 1
            : maxLength;
    return value.substring(0, end);
  }
}
