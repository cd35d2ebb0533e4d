/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import dev.opsagent.logging.HiddenValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * Where and how one signal (traces or metrics) is sent over OTLP, resolved the way the
 * OpenTelemetry Java agent resolves it: a signal-specific key wins over the shared one, the
 * protocol defaults to {@code http/protobuf}, and the endpoint to {@code http://localhost:4318}
 * ({@code http://localhost:4317} for gRPC). An {@code https://} endpoint gets the TLS that {@link
 * CollectorTls} reads.
 */
public final class OtlpSettings {

  public static final String HTTP_PROTOBUF = "http/protobuf";
  public static final String GRPC = "grpc";

  private static final List<String> PROTOCOLS = Arrays.asList(HTTP_PROTOBUF, GRPC);
  private static final List<String> COMPRESSIONS = Arrays.asList("none", "gzip");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final String protocol;
  private final String endpoint;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final String compression;

  /** Null for an {@code http://} endpoint, or when {@link #unusableTls} says why it cannot be. */
  private final CollectorTls tls;

  /** Why the TLS settings cannot be used, naming setting, file and fix; null if they can. */
  private final String unusableTls;

  private OtlpSettings(
      String protocol,
      String endpoint,
      Map<String, String> headers,
      Duration timeout,
      String compression,
      CollectorTls tls,
      String unusableTls) {
    this.protocol = protocol;
    this.endpoint = endpoint;
    this.headers = headers;
    this.timeout = timeout;
    this.compression = compression;
    this.tls = tls;
    this.unusableTls = unusableTls;
  }

  /**
   * @param signal {@code traces} or {@code metrics}
   */
  public static OtlpSettings resolve(Config config, String signal) {
    // An invalid signal-specific protocol falls back to the shared one, which falls back to the
    // default.
    String shared = config.getOneOf(Keys.otlp("", "protocol"), HTTP_PROTOBUF, PROTOCOLS);
    String protocol = config.getOneOf(Keys.otlp(signal, "protocol"), shared, PROTOCOLS);
    String headersKey = pick(config, signal, "headers");
    String timeoutKey = pick(config, signal, "timeout");
    String compressionKey = pick(config, signal, "compression");
    String endpoint = endpoint(config, signal, protocol);
    CollectorTls tls = null;
    String unusableTls = null;
    try {
      tls =
          CollectorTls.resolve(
              config,
              endpoint,
              pick(config, signal, CollectorTls.CERTIFICATE),
              pick(config, signal, CollectorTls.CLIENT_KEY),
              pick(config, signal, CollectorTls.CLIENT_CERTIFICATE));
    } catch (CollectorTls.Unusable e) {
      unusableTls = e.getMessage();
    }
    return new OtlpSettings(
        protocol,
        endpoint,
        headers(config, headersKey),
        config.getDuration(timeoutKey, DEFAULT_TIMEOUT),
        config.getOneOf(compressionKey, "none", COMPRESSIONS),
        tls,
        unusableTls);
  }

  /**
   * The export headers, those that HTTP cannot carry left out: each client would refuse them at
   * every export, and OkHttp's refusal quotes the value. Their values are secrets (API keys): no
   * log line shows them from now on ({@link HiddenValues}).
   */
  private static Map<String, String> headers(Config config, String key) {
    Map<String, String> headers = config.getMap(key, true);
    headers
        .entrySet()
        .removeIf(
            header -> {
              boolean valid = isToken(header.getKey()) && isFieldValue(header.getValue());
              if (!valid) {
                config.ignoredPart(
                    key,
                    "header '" + (isToken(header.getKey()) ? header.getKey() : "<hidden>") + "'",
                    "a header name is letters, digits and !#$%&'*+-.^_`|~; its value visible"
                        + " ASCII characters and spaces (percent-encode others: %20 is a space)");
              }
              return !valid;
            });
    HiddenValues.hide(headers.values());
    return headers;
  }

  /** An HTTP field name: one or more {@code tchar} (RFC 9110). */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphanumeric =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * An HTTP field value both clients send: visible ASCII, spaces and tabs (RFC 9110 also allows
   * bytes above 0x7F, which OkHttp refuses).
   */
  static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return the signal-specific key when it is set, else the shared one
   */
  private static String pick(Config config, String signal, String setting) {
    String specific = Keys.otlp(signal, setting);
    return config.get(specific) != null ? specific : Keys.otlp("", setting);
  }

  /**
   * A signal-specific endpoint is used as written; the shared one is a base to which http/protobuf
   * adds {@code /v1/<signal>}. gRPC uses either as written.
   */
  private static String endpoint(Config config, String signal, String protocol) {
    String defaultBase = protocol.equals(GRPC) ? "http://localhost:4317" : "http://localhost:4318";
    String specificKey = Keys.otlp(signal, "endpoint");
    String specific = config.get(specificKey);
    if (specific != null) {
      if (isValidEndpoint(specific)) {
        return specific;
      }
      config.invalid(
          specificKey, specific, "an http:// or https:// URL", "the shared or default endpoint");
    }
    String sharedKey = Keys.otlp("", "endpoint");
    String base = config.get(sharedKey);
    if (base != null && !isValidEndpoint(base)) {
      config.invalid(sharedKey, base, "an http:// or https:// URL", defaultBase);
      base = null;
    }
    if (base == null) {
      base = defaultBase;
    }
    if (protocol.equals(GRPC)) {
      return base;
    }
    return (base.endsWith("/") ? base : base + "/") + "v1/" + signal;
  }

  /**
   * An http or https URL with a host. The host is checked through the authority, because {@code
   * java.net.URI} finds no host in names it deems invalid, such as {@code otel_collector}, which
   * container networks commonly use and the exporter accepts.
   */
  static boolean isValidEndpoint(String value) {
    try {
      URI uri = new URI(value);
      String authority = uri.getRawAuthority();
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && authority != null
          && !authority.isEmpty()
          && !authority.startsWith(":")
          && !authority.contains("@")
          && uri.getQuery() == null
          && uri.getFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  public String protocol() {
    return protocol;
  }

  public String endpoint() {
    return endpoint;
  }

  /** Header values are secrets (API keys): never log them. */
  public Map<String, String> headers() {
    return headers;
  }

  public Duration timeout() {
    return timeout;
  }

  public String compression() {
    return compression;
  }

  /**
   * @return null for an {@code http://} endpoint
   */
  CollectorTls tls() {
    return tls;
  }

  /**
   * @return why nothing of this signal may be exported: its TLS settings cannot be used (the
   *     message names setting, file and fix); null if they can
   */
  String unusableTls() {
    return unusableTls;
  }

  /**
   * Hands the TLS to an OTLP exporter's builder ({@code setSslContext}) if the endpoint is {@code
   * https://}.
   */
  void configureTls(BiConsumer<SSLContext, X509TrustManager> sslContext) {
    if (tls != null) {
      tls.configure(sslContext);
    }
  }

  /**
   * @return what a log line may say about this exporter: protocol and endpoint, never headers
   */
  public String describe() {
    return "otlp " + protocol + " " + endpoint;
  }
}
