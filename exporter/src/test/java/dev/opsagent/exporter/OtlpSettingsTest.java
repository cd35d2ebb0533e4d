/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.opsagent.config.Config;
import dev.opsagent.logging.HiddenValues;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpSettingsTest {

  /** A config read from environment variables only, given as name, value, name, value... */
  private static Config env(String... keyValues) {
    Map<String, String> environment = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      environment.put(keyValues[i], keyValues[i + 1]);
    }
    return Config.create(null, new Properties(), environment);
  }

  @Test
  void defaultsForTraces() {
    Config config = env();

    OtlpSettings traces = OtlpSettings.resolve(config, "traces");

    assertThat(traces.protocol()).isEqualTo("http/protobuf");
    assertThat(traces.endpoint()).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(traces.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(traces.compression()).isEqualTo("none");
    assertThat(traces.headers()).isEmpty();
    assertThat(traces.describe()).isEqualTo("otlp http/protobuf http://localhost:4318/v1/traces");
    assertThat(config.drainProblems()).isEmpty();
  }

  @Test
  void defaultsForMetrics() {
    OtlpSettings metrics = OtlpSettings.resolve(env(), "metrics");

    assertThat(metrics.endpoint()).isEqualTo("http://localhost:4318/v1/metrics");
    assertThat(metrics.protocol()).isEqualTo("http/protobuf");
  }

  @Test
  void grpcDefaultEndpointIsPort4317WithoutPath() {
    Config config = env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://localhost:4317");
    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("http://localhost:4317");
    assertThat(OtlpSettings.resolve(config, "traces").protocol()).isEqualTo("grpc");
  }

  @Test
  void protocolIsCaseInsensitive() {
    assertThat(
            OtlpSettings.resolve(env("OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC"), "traces").protocol())
        .isEqualTo("grpc");
  }

  @Test
  void grpcUsesTheSharedEndpointAsWritten() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector:4317");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://collector:4317");
  }

  @Test
  void sharedBaseEndpointGetsTheSignalPathForHttpProtobuf() {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("http://collector:4318/v1/metrics");
  }

  @Test
  void sharedBaseEndpointWithTrailingSlashGetsNoDoubleSlash() {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example.com:4318/");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("https://collector.example.com:4318/v1/traces");
  }

  @Test
  void sharedBaseEndpointWithAPathKeepsThePath() {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", "https://gateway.example.com/otlp");

    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("https://gateway.example.com/otlp/v1/metrics");
  }

  @Test
  void signalSpecificEndpointIsUsedAsWritten() {
    Config config = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/custom/path");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://collector:4318/custom/path");
    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("http://localhost:4318/v1/metrics");
  }

  @Test
  void signalSpecificEndpointWinsOverTheSharedOne() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://shared:4318",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics-only:9090/ingest");

    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("http://metrics-only:9090/ingest");
    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://shared:4318/v1/traces");
  }

  @Test
  void signalSpecificProtocolWinsOverTheSharedOne() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "grpc",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "http/protobuf");

    assertThat(OtlpSettings.resolve(config, "traces").protocol()).isEqualTo("http/protobuf");
    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://localhost:4318/v1/traces");
    assertThat(OtlpSettings.resolve(config, "metrics").protocol()).isEqualTo("grpc");
  }

  @Test
  void signalSpecificHeadersReplaceTheSharedOnes() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_HEADERS", "api-key=shared",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=traces,x-tenant=acme");

    assertThat(OtlpSettings.resolve(config, "traces").headers())
        .containsExactly(entry("api-key", "traces"), entry("x-tenant", "acme"));
    assertThat(OtlpSettings.resolve(config, "metrics").headers())
        .containsExactly(entry("api-key", "shared"));
  }

  @Test
  void signalSpecificTimeoutWinsOverTheSharedOne() {
    Config config =
        env("OTEL_EXPORTER_OTLP_TIMEOUT", "5s", "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "2000");

    assertThat(OtlpSettings.resolve(config, "metrics").timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(OtlpSettings.resolve(config, "traces").timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void signalSpecificCompressionWinsOverTheSharedOne() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_COMPRESSION",
            "gzip",
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
            "none");

    assertThat(OtlpSettings.resolve(config, "traces").compression()).isEqualTo("none");
    assertThat(OtlpSettings.resolve(config, "metrics").compression()).isEqualTo("gzip");
  }

  @Test
  void invalidCompressionFallsBackToNoneWithAProblem() {
    Config config = env("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli");

    assertThat(OtlpSettings.resolve(config, "traces").compression()).isEqualTo("none");
    assertThat(config.drainProblems())
        .singleElement(STRING)
        .contains("'brotli'", "environment variable OTEL_EXPORTER_OTLP_COMPRESSION", "using none");
  }

  @Test
  void invalidTimeoutFallsBackToTenSecondsWithAProblem() {
    Config config = env("OTEL_EXPORTER_OTLP_TIMEOUT", "soon");

    assertThat(OtlpSettings.resolve(config, "traces").timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.drainProblems())
        .singleElement(STRING)
        .contains("'soon'", "environment variable OTEL_EXPORTER_OTLP_TIMEOUT", "using 10000 ms");
  }

  @Test
  void invalidProtocolFallsBackToHttpProtobufWithAProblem() {
    Config config = env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json");

    OtlpSettings traces = OtlpSettings.resolve(config, "traces");

    assertThat(traces.protocol()).isEqualTo("http/protobuf");
    assertThat(traces.endpoint()).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(config.drainProblems())
        .containsExactly(
            "invalid value 'http/json' for otel.exporter.otlp.protocol"
                + " (from environment variable OTEL_EXPORTER_OTLP_PROTOCOL):"
                + " expected one of http/protobuf, grpc; using http/protobuf");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "collector:4318",
        "localhost",
        "ftp://collector:4318",
        "not a url",
        "http://collector:4318/v1/traces?tenant=a",
        "http://collector:4318#fragment",
        "http://",
        "file:///tmp/spans"
      })
  void malformedSharedEndpointFallsBackToTheDefaultWithAProblem(String malformed) {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", malformed);

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://localhost:4318/v1/traces");
    assertThat(config.drainProblems())
        .containsExactly(
            "invalid value '"
                + malformed
                + "' for otel.exporter.otlp.endpoint"
                + " (from environment variable OTEL_EXPORTER_OTLP_ENDPOINT):"
                + " expected an http:// or https:// URL; using http://localhost:4318");
  }

  @Test
  void malformedSharedEndpointWithGrpcFallsBackToTheGrpcDefault() {
    Config config =
        env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://localhost:4317");
    assertThat(config.drainProblems())
        .singleElement(STRING)
        .endsWith("using http://localhost:4317");
  }

  @Test
  void malformedSignalSpecificEndpointFallsBackToTheSharedOneWithAProblem() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://shared:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://traces:21");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://shared:4318/v1/traces");
    assertThat(config.drainProblems())
        .containsExactly(
            "invalid value 'ftp://traces:21' for otel.exporter.otlp.traces.endpoint"
                + " (from environment variable OTEL_EXPORTER_OTLP_TRACES_ENDPOINT):"
                + " expected an http:// or https:// URL; using the shared or default endpoint");
  }

  @Test
  void malformedSignalSpecificEndpointWithoutSharedFallsBackToTheDefault() {
    Config config = env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "not a url");

    assertThat(OtlpSettings.resolve(config, "metrics").endpoint())
        .isEqualTo("http://localhost:4318/v1/metrics");
    assertThat(config.drainProblems()).hasSize(1);
  }

  @Test
  void malformedSharedEndpointIsReportedOnceForBothSignals() {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318");

    OtlpSettings.resolve(config, "traces");
    OtlpSettings.resolve(config, "metrics");

    assertThat(config.drainProblems()).hasSize(1);
  }

  @Test
  void malformedSharedHeadersAreReportedOnceForBothSignals() {
    Config config = env("OTEL_EXPORTER_OTLP_HEADERS", "api-key=ok,garbage");

    OtlpSettings.resolve(config, "traces");
    OtlpSettings.resolve(config, "metrics");

    assertThat(config.drainProblems()).hasSize(1);
  }

  @Test
  void httpsAndUpperCaseSchemesAreValid() {
    assertThat(OtlpSettings.isValidEndpoint("https://collector.example.com")).isTrue();
    assertThat(OtlpSettings.isValidEndpoint("HTTP://collector:4318")).isTrue();
    assertThat(OtlpSettings.isValidEndpoint("http://[::1]:4318")).isTrue();
  }

  /**
   * Docker Compose and Kubernetes-adjacent host names may contain '_'; java.net.URI then parses the
   * authority as registry-based and getHost() is null, so the endpoint is rejected although the
   * OTLP exporter itself (OkHttp) would accept it.
   */
  @Test
  void hostNameWithUnderscoreIsAValidEndpoint() {
    Config config = env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel_collector:4318");

    assertThat(OtlpSettings.resolve(config, "traces").endpoint())
        .isEqualTo("http://otel_collector:4318/v1/traces");
    assertThat(config.drainProblems()).isEmpty();
  }

  @Test
  void headersAreParsedAndPercentDecoded() {
    Config config =
        env("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr3t-value,authorization=Bearer%20abc.def");

    assertThat(OtlpSettings.resolve(config, "traces").headers())
        .containsExactly(
            entry("api-key", "s3cr3t-value"), entry("authorization", "Bearer abc.def"));
  }

  @Test
  void headersNeverAppearInDescribe() {
    Config config =
        env(
            "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr3t-value",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector.example.com");

    OtlpSettings traces = OtlpSettings.resolve(config, "traces");

    assertThat(traces.describe())
        .isEqualTo("otlp http/protobuf https://collector.example.com/v1/traces")
        .doesNotContain("api-key")
        .doesNotContain("s3cr3t-value");
  }

  @Test
  void malformedHeaderIsReportedWithoutItsValue() {
    Config config = env("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=ok,s3cr3t-without-name");

    assertThat(OtlpSettings.resolve(config, "traces").headers()).containsOnlyKeys("api-key");
    List<String> problems = config.drainProblems();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0))
        .contains("environment variable OTEL_EXPORTER_OTLP_TRACES_HEADERS")
        .doesNotContain("s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3cr3t%0Avalue", "s3cr3t%C3%A9", "s3cr3t%00"})
  void headerValueThatHttpCannotCarryIsLeftOutAndReportedWithoutTheValue(String value) {
    Config config = env("OTEL_EXPORTER_OTLP_HEADERS", "api-key=ok-value,x-bad=" + value);

    assertThat(OtlpSettings.resolve(config, "traces").headers())
        .containsExactly(entry("api-key", "ok-value"));
    assertThat(config.drainProblems())
        .singleElement(STRING)
        .contains("ignoring header 'x-bad' in environment variable OTEL_EXPORTER_OTLP_HEADERS")
        .doesNotContain("s3cr3t");
  }

  @Test
  void headerNameThatIsNoTokenIsLeftOutAndNotRepeated() {
    Config config = env("OTEL_EXPORTER_OTLP_HEADERS", "api key s3cr3t=v,api-key=ok-value");

    assertThat(OtlpSettings.resolve(config, "traces").headers()).containsOnlyKeys("api-key");
    assertThat(config.drainProblems())
        .singleElement(STRING)
        .contains("ignoring header '<hidden>'")
        .doesNotContain("s3cr3t");
  }

  @Test
  void headerValuesAreHiddenFromTheLog() {
    OtlpSettings.resolve(
        env("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20tok-settings-1"), "traces");

    assertThat(HiddenValues.mask("echo: Bearer tok-settings-1")).isEqualTo("echo: <hidden>");
  }
}
