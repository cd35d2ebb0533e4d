/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.smoke;

import static dev.opsagent.smoke.Smoke.FAST_METRICS;
import static dev.opsagent.smoke.Smoke.FAST_SPANS;
import static dev.opsagent.smoke.Smoke.JDK_HTTP_SERVER_APP;
import static dev.opsagent.smoke.Smoke.QUICK_EXIT;
import static dev.opsagent.smoke.Smoke.agentLinesContaining;
import static dev.opsagent.smoke.Smoke.args;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.opsagent.smoke.harness.AppJvm;
import dev.opsagent.smoke.harness.Http;
import dev.opsagent.smoke.harness.Jdks;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The values of the OTLP export headers ({@code OTEL_EXPORTER_OTLP_HEADERS}: API keys) never show
 * in what the application's JVM prints, at the most verbose log level, whatever goes wrong with the
 * export: a collector that rejects the export and quotes the request's headers in its answer, a
 * collector that cannot be reached (gRPC), header values HTTP cannot carry.
 */
class ExportHeadersSmokeTest {

  private static final String BEARER_TOKEN = "tok-4e1b-secret-bearer";
  private static final String TRACES_API_KEY = "key-77a2-secret-traces";
  private static final String UNSENDABLE = "key-0c9d-secret-unsendable";
  private static final String METRICS_API_KEY = "key-51f0-secret-metrics";
  private static final String UNSENDABLE_METRICS = "key-93e4-secret-newline";

  /** Failed exports are reported as the exporter gives up: after its retries, within this. */
  private static final Duration EXPORT_FAILURE_AWAIT = Duration.ofSeconds(20);

  @Test
  void exportHeaderValuesNeverShowInTheLogWhateverGoesWrong() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer rejecting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    rejecting.createContext("/", exchange -> rejectQuotingHeaders(exchange, received));
    rejecting.start();
    try (AppJvm app =
        AppJvm.builder(Jdks.current(), JDK_HTTP_SERVER_APP)
            .agentArgs(
                args(
                    "otel.exporter.otlp.traces.endpoint=http://127.0.0.1:"
                        + rejecting.getAddress().getPort()
                        + "/v1/traces",
                    "otel.exporter.otlp.metrics.endpoint=http://127.0.0.1:" + Smoke.freePort(),
                    "otel.exporter.otlp.metrics.protocol=grpc",
                    "otel.exporter.otlp.metrics.timeout=2s",
                    "opsagent.log.level=trace",
                    FAST_SPANS,
                    FAST_METRICS,
                    QUICK_EXIT))
            .env(
                "OTEL_EXPORTER_OTLP_HEADERS",
                "authorization=Bearer%20"
                    + BEARER_TOKEN
                    + ",x-api-key="
                    + TRACES_API_KEY
                    + ",x-unsendable="
                    + UNSENDABLE
                    + "%C3%A9")
            .env(
                "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
                "x-api-key=" + METRICS_API_KEY + ",x-unsendable=" + UNSENDABLE_METRICS + "%0A")
            .start()) {
      assertThat(Http.get(app.port(), "/hello").statusCode()).isEqualTo(200);
      app.awaitStderr("cannot export spans to", EXPORT_FAILURE_AWAIT);
      app.awaitStderr("cannot export metrics to", EXPORT_FAILURE_AWAIT);
      app.awaitStderr("spans export answered HTTP 401: ", EXPORT_FAILURE_AWAIT);

      SoftAssertions softly = new SoftAssertions();
      softly
          .assertThat(String.join("\n", received))
          .as("what the collector received, and quoted in its answer")
          .contains(BEARER_TOKEN, TRACES_API_KEY);
      softly
          .assertThat(agentLinesContaining(app, "ignoring header 'x-unsendable'"))
          .as("the unsendable headers, named once each")
          .hasSize(2)
          .allSatisfy(line -> assertThat(line).contains(" WARN "));
      softly
          .assertThat(agentLinesContaining(app, "<hidden>"))
          .as("the collector's answer, quoting the headers, masked")
          .isNotEmpty();
      for (String secret :
          List.of(BEARER_TOKEN, TRACES_API_KEY, UNSENDABLE, METRICS_API_KEY, UNSENDABLE_METRICS)) {
        softly.assertThat(app.stderr()).as("stderr").doesNotContain(secret);
        softly.assertThat(app.stdout()).as("stdout").doesNotContain(secret);
      }
      softly.assertAll();
    } finally {
      rejecting.stop(0);
    }
  }

  /** Answers 401, quoting every header of the request, as some gateways do. */
  private static void rejectQuotingHeaders(HttpExchange exchange, List<String> received)
      throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String headers =
          exchange.getRequestHeaders().entrySet().stream()
              .map(header -> header.getKey() + ": " + String.join(", ", header.getValue()))
              .collect(Collectors.joining("; "));
      received.add(headers);
      byte[] body = ("unauthorized; request headers: " + headers).getBytes(UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(401, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
