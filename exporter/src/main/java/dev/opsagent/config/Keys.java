/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Every configuration key the agent reads, written as system properties. */
public final class Keys {

  public static final String SERVICE_NAME = "otel.service.name";
  public static final String RESOURCE_ATTRIBUTES = "otel.resource.attributes";
  public static final String TRACES_EXPORTER = "otel.traces.exporter";
  public static final String METRICS_EXPORTER = "otel.metrics.exporter";

  /** Prefix of the OTLP exporter keys; {@code otlp(".traces", "endpoint")} and the like. */
  private static final String OTLP = "otel.exporter.otlp";

  public static final String BSP_SCHEDULE_DELAY = "otel.bsp.schedule.delay";
  public static final String BSP_MAX_QUEUE_SIZE = "otel.bsp.max.queue.size";
  public static final String BSP_MAX_EXPORT_BATCH_SIZE = "otel.bsp.max.export.batch.size";
  public static final String BSP_EXPORT_TIMEOUT = "otel.bsp.export.timeout";
  public static final String METRIC_EXPORT_INTERVAL = "otel.metric.export.interval";

  // The span limits, named as the OpenTelemetry SDK's autoconfiguration names them.
  public static final String ATTRIBUTE_VALUE_LENGTH_LIMIT = "otel.attribute.value.length.limit";
  public static final String SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT =
      "otel.span.attribute.value.length.limit";
  public static final String ATTRIBUTE_COUNT_LIMIT = "otel.attribute.count.limit";
  public static final String SPAN_ATTRIBUTE_COUNT_LIMIT = "otel.span.attribute.count.limit";

  public static final String CAPTURE_REQUEST_HEADERS =
      "otel.instrumentation.http.server.capture-request-headers";
  public static final String CAPTURE_RESPONSE_HEADERS =
      "otel.instrumentation.http.server.capture-response-headers";

  public static final String LOG_LEVEL = "opsagent.log.level";
  public static final String REDACT_HEADERS = "opsagent.capture.redact";
  public static final String REDACT_QUERY_PARAMETERS = "opsagent.capture.redact-query-parameters";
  public static final String HEADER_VALUE_MAX_LENGTH = "opsagent.capture.header-value-max-length";
  public static final String URL_MAX_LENGTH = "opsagent.capture.url-max-length";
  public static final String SHUTDOWN_TIMEOUT = "opsagent.shutdown.timeout";
  public static final String THREAD_CONTENTION_MONITORING = "opsagent.thread-contention-monitoring";
  public static final String EXECUTOR_SPANS = "opsagent.executor.spans";
  public static final String INSTRUMENTATION_FAILURE_THRESHOLD =
      "opsagent.instrumentation.failure-threshold";

  /** Test-only: makes chosen points of the agent fail (see {@code FaultInjection}). */
  public static final String TEST_FAIL = "opsagent.test.fail";

  /** The OTLP settings that exist per signal ({@code otel.exporter.otlp.traces.endpoint}...). */
  private static final String[] OTLP_SETTINGS = {
    "endpoint",
    "protocol",
    "headers",
    "timeout",
    "compression",
    "certificate",
    "client.key",
    "client.certificate"
  };

  private Keys() {}

  /**
   * @param signal {@code ""} for the key shared by all signals, {@code "traces"} or {@code
   *     "metrics"}
   * @param setting one of endpoint, protocol, headers, timeout, compression, certificate,
   *     client.key, client.certificate
   */
  public static String otlp(String signal, String setting) {
    return signal.isEmpty() ? OTLP + "." + setting : OTLP + "." + signal + "." + setting;
  }

  /**
   * @return the key that switches an instrumentation off: {@code
   *     opsagent.instrumentation.<name>.enabled}
   */
  public static String instrumentationEnabled(String instrumentationName) {
    return "opsagent.instrumentation." + instrumentationName + ".enabled";
  }

  /**
   * @param instrumentationNames the names of the instrumentations in this agent
   * @return every key the agent reads
   */
  public static Set<String> all(Iterable<String> instrumentationNames) {
    Set<String> keys =
        new LinkedHashSet<>(
            Arrays.asList(
                SERVICE_NAME,
                RESOURCE_ATTRIBUTES,
                TRACES_EXPORTER,
                METRICS_EXPORTER,
                BSP_SCHEDULE_DELAY,
                BSP_MAX_QUEUE_SIZE,
                BSP_MAX_EXPORT_BATCH_SIZE,
                BSP_EXPORT_TIMEOUT,
                METRIC_EXPORT_INTERVAL,
                ATTRIBUTE_VALUE_LENGTH_LIMIT,
                SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
                ATTRIBUTE_COUNT_LIMIT,
                SPAN_ATTRIBUTE_COUNT_LIMIT,
                CAPTURE_REQUEST_HEADERS,
                CAPTURE_RESPONSE_HEADERS,
                LOG_LEVEL,
                REDACT_HEADERS,
                REDACT_QUERY_PARAMETERS,
                HEADER_VALUE_MAX_LENGTH,
                URL_MAX_LENGTH,
                SHUTDOWN_TIMEOUT,
                THREAD_CONTENTION_MONITORING,
                EXECUTOR_SPANS,
                INSTRUMENTATION_FAILURE_THRESHOLD,
                TEST_FAIL));
    for (String signal : new String[] {"", "traces", "metrics"}) {
      for (String setting : OTLP_SETTINGS) {
        keys.add(otlp(signal, setting));
      }
    }
    for (String name : instrumentationNames) {
      keys.add(instrumentationEnabled(name));
    }
    return Collections.unmodifiableSet(keys);
  }
}
