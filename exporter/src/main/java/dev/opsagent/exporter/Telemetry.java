/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import dev.opsagent.config.Config;
import dev.opsagent.config.Keys;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own OpenTelemetry SDK: tracer and meter providers, the batch span processor, the
 * periodic metric reader and their exporters. Never registered as the global OpenTelemetry: the
 * application's own telemetry, if it has any, is not touched.
 */
public final class Telemetry {

  private static final Logger logger = LoggerFactory.getLogger(Telemetry.class);

  /** Name of the agent's tracer and meter (the instrumentation scope). */
  public static final String SCOPE = "dev.opsagent";

  /** Whether an exporter uses OkHttp (gRPC, or http/protobuf without java.net.http). */
  private static volatile boolean okHttpUsed;

  private static final List<String> EXPORTERS = Arrays.asList("otlp", "console", "logging", "none");
  private static final String FIX =
      "check that an OTLP receiver listens there, or set OTEL_EXPORTER_OTLP_ENDPOINT"
          + " (and OTEL_EXPORTER_OTLP_PROTOCOL) to one that does";

  private final SdkTracerProvider tracerProvider;
  private final SdkMeterProvider meterProvider;
  private final Tracer tracer;
  private final Meter meter;
  private final TextMapPropagator propagator;
  private final String destination;

  /** Builds the real exporters and connects them; run once, by {@link #connectExporters()}. */
  private final Runnable exporterConnection;

  /** Where the batch span processor and the metric reader export to; null for {@code none}. */
  private final ObservedSpanExporter spanExport;

  private final ObservedMetricExporter metricExport;

  private Telemetry(
      SdkTracerProvider tracerProvider,
      SdkMeterProvider meterProvider,
      String destination,
      Runnable exporterConnection,
      ObservedSpanExporter spanExport,
      ObservedMetricExporter metricExport) {
    this.tracerProvider = tracerProvider;
    this.meterProvider = meterProvider;
    this.tracer = tracerProvider.get(SCOPE, AgentVersion.get());
    this.meter =
        meterProvider.meterBuilder(SCOPE).setInstrumentationVersion(AgentVersion.get()).build();
    this.propagator =
        TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());
    this.destination = destination;
    this.exporterConnection = exporterConnection;
    this.spanExport = spanExport;
    this.metricExport = metricExport;
  }

  /**
   * Builds the SDK as configured, with exporters that are not connected yet: the tracer and meter
   * work at once; what they record is exported once {@link #connectExporters()} has run.
   */
  public static Telemetry create(Config config) {
    SdkLogBridge.install();
    Resource resource = AgentResource.create(config);
    String metricsExporter = config.getOneOf(Keys.METRICS_EXPORTER, "otlp", EXPORTERS);
    String tracesExporter = config.getOneOf(Keys.TRACES_EXPORTER, "otlp", EXPORTERS);
    OtlpSettings metricsOtlp =
        metricsExporter.equals("otlp") ? OtlpSettings.resolve(config, "metrics") : null;
    OtlpSettings tracesOtlp =
        tracesExporter.equals("otlp") ? OtlpSettings.resolve(config, "traces") : null;
    reportUnusableTls(tracesOtlp, metricsOtlp);

    SdkMeterProviderBuilder meters = SdkMeterProvider.builder().setResource(resource);
    String metricsDestination = destination(metricsExporter, metricsOtlp);
    ObservedMetricExporter metrics = null;
    if (!metricsExporter.equals("none") && usable(metricsOtlp)) {
      metrics =
          new ObservedMetricExporter(
              new ExportHealth("metrics", metricsDestination, FIX, tls(metricsOtlp)));
      meters.registerMetricReader(
          PeriodicMetricReader.builder(metrics)
              .setInterval(config.getDuration(Keys.METRIC_EXPORT_INTERVAL, Duration.ofMinutes(1)))
              .build());
    }
    SdkMeterProvider meterProvider = meters.build();
    if (metrics != null) {
      registerHealthMetrics(meterProvider, "metrics", metrics.health(), false);
    }
    ExportHealth spansHealth = null;
    if (!tracesExporter.equals("none") && usable(tracesOtlp)) {
      spansHealth =
          new ExportHealth("spans", destination(tracesExporter, tracesOtlp), FIX, tls(tracesOtlp));
      registerHealthMetrics(meterProvider, "spans", spansHealth, true);
    }

    SpanLimits spanLimits = AttributeLimits.resolve(config);
    SdkTracerProviderBuilder tracers =
        SdkTracerProvider.builder().setResource(resource).setSpanLimits(spanLimits);
    ObservedSpanExporter spans = null;
    if (spansHealth != null) {
      int maxQueueSize = config.getInt(Keys.BSP_MAX_QUEUE_SIZE, 2048, 1);
      SpanQueueLimit queueLimit =
          new SpanQueueLimit(maxQueueSize, spansHealth, spanLimits.getMaxNumberOfAttributes());
      spans = new ObservedSpanExporter(spansHealth, queueLimit);
      tracers.addSpanProcessor(
          queueLimit.before(
              BatchSpanProcessor.builder(spans)
                  .setScheduleDelay(
                      config.getDuration(Keys.BSP_SCHEDULE_DELAY, Duration.ofSeconds(5)))
                  .setMaxQueueSize(maxQueueSize)
                  .setMaxExportBatchSize(config.getInt(Keys.BSP_MAX_EXPORT_BATCH_SIZE, 512, 1))
                  .setExporterTimeout(
                      config.getDuration(Keys.BSP_EXPORT_TIMEOUT, Duration.ofSeconds(30)))
                  .setMeterProvider(meterProvider)
                  .build()));
    }
    ObservedSpanExporter spanExport = spans;
    ObservedMetricExporter metricExport = metrics;
    Runnable connection =
        () -> {
          if (spanExport != null) {
            try {
              spanExport.connect(
                  tracesOtlp == null
                      ? new ConsoleSpanExporter(System.out)
                      : otlpSpanExporter(tracesOtlp));
            } catch (RuntimeException e) {
              spanExport.failed(e);
              throw e;
            }
          }
          if (metricExport != null) {
            try {
              metricExport.connect(
                  metricsOtlp == null
                      ? new ConsoleMetricExporter(System.out)
                      : otlpMetricExporter(metricsOtlp));
            } catch (RuntimeException e) {
              metricExport.failed(e);
              throw e;
            }
          }
        };
    return new Telemetry(
        tracers.build(),
        meterProvider,
        "traces to "
            + destination(tracesExporter, tracesOtlp)
            + ", metrics to "
            + metricsDestination,
        connection,
        spanExport,
        metricExport);
  }

  /**
   * Creates the exporters' clients (for OTLP: HTTP client, TLS, connection pool) and connects them.
   * Slow the first time in a JVM (class loading), so it runs after {@link #create}, off the path of
   * the application's first requests.
   *
   * @throws RuntimeException if an exporter cannot be created; its exports then fail with the cause
   */
  public void connectExporters() {
    exporterConnection.run();
  }

  /**
   * Connects these exporters instead of the configured ones, for the benchmarks, which measure
   * everything up to the export.
   */
  public void connectExporters(SpanExporter spans, MetricExporter metrics) {
    if (spanExport != null) {
      spanExport.connect(spans);
    }
    if (metricExport != null) {
      metricExport.connect(metrics);
    }
  }

  /**
   * Exports the spans the batch span processor holds, waiting at most {@code timeout}.
   *
   * @return whether they were exported in time
   */
  public boolean flushSpans(Duration timeout) {
    return tracerProvider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
  }

  private static String destination(String exporter, OtlpSettings otlp) {
    if (otlp != null) {
      return usable(otlp)
          ? otlp.describe()
          : "nowhere (" + otlp.describe() + ": its TLS settings cannot be used)";
    }
    return exporter.equals("logging") ? "console" : exporter;
  }

  /** Whether a signal may be exported: not over OTLP, or with TLS settings that can be used. */
  private static boolean usable(OtlpSettings otlp) {
    return otlp == null || otlp.unusableTls() == null;
  }

  private static CollectorTls tls(OtlpSettings otlp) {
    return otlp == null ? null : otlp.tls();
  }

  /**
   * One error for each TLS problem, naming the signals that it stops: the shared settings stop
   * both. Nothing of theirs is exported, rather than sent without the TLS asked for.
   */
  private static void reportUnusableTls(OtlpSettings traces, OtlpSettings metrics) {
    Map<String, List<String>> stopped = new LinkedHashMap<>();
    if (!usable(traces)) {
      stopped.computeIfAbsent(traces.unusableTls(), problem -> new ArrayList<>()).add("spans");
    }
    if (!usable(metrics)) {
      stopped.computeIfAbsent(metrics.unusableTls(), problem -> new ArrayList<>()).add("metrics");
    }
    stopped.forEach(
        (problem, signals) ->
            logger.error(
                "cannot export {} over TLS: {}. Nothing is sent without that TLS; the files are"
                    + " read when the agent starts",
                String.join(" and ", signals),
                problem));
  }

  /**
   * The agent's own health: how many items of a signal were exported, how many failed to export,
   * and, for a signal {@code queued} before export (spans; metrics are not), how many were dropped
   * because the queue was full. Every item ends up in one of these.
   */
  private static void registerHealthMetrics(
      SdkMeterProvider meterProvider, String signal, ExportHealth health, boolean queued) {
    Meter own = meterProvider.get(SCOPE);
    Attributes attributes = Attributes.of(AttributeKey.stringKey("signal"), signal);
    own.counterBuilder("opsagent.export.exported")
        .setUnit("{item}")
        .setDescription("Items the agent exported successfully.")
        .buildWithCallback(measurement -> measurement.record(health.exported(), attributes));
    own.counterBuilder("opsagent.export.failed")
        .setUnit("{item}")
        .setDescription("Items whose export failed; they are not sent again.")
        .buildWithCallback(measurement -> measurement.record(health.failed(), attributes));
    if (queued) {
      own.counterBuilder("opsagent.export.dropped")
          .setUnit("{item}")
          .setDescription(
              "Items dropped before export because the export queue was full"
                  + " (otel.bsp.max.queue.size).")
          .buildWithCallback(measurement -> measurement.record(health.dropped(), attributes));
    }
  }

  private static SpanExporter otlpSpanExporter(OtlpSettings otlp) {
    if (otlp.protocol().equals(OtlpSettings.GRPC)) {
      usingOkHttp();
      OtlpGrpcSpanExporterBuilder builder =
          OtlpGrpcSpanExporter.builder()
              .setEndpoint(otlp.endpoint())
              .setTimeout(otlp.timeout())
              .setCompression(otlp.compression());
      otlp.headers().forEach(builder::addHeader);
      otlp.configureTls(builder::setSslContext);
      return builder.build();
    }
    HttpSenders senders = httpSenders("traces");
    OtlpHttpSpanExporterBuilder builder =
        OtlpHttpSpanExporter.builder()
            .setComponentLoader(senders)
            .setEndpoint(otlp.endpoint())
            .setTimeout(otlp.timeout())
            .setCompression(otlp.compression());
    otlp.headers().forEach(builder::addHeader);
    otlp.configureTls(builder::setSslContext);
    OtlpHttpSpanExporter sdkExporter = builder.build();
    HttpSender sender = senders.sender();
    // The SDK's exporter builds its sender when it is built; should a later SDK do it lazily,
    // its own encoding is used.
    return sender == null ? sdkExporter : new OtlpProtobufSpanExporter(sdkExporter, sender);
  }

  /**
   * The JDK's HTTP client for http/protobuf, chosen explicitly (see {@link HttpSenders}); OkHttp
   * only for gRPC, whose trailers the JDK client cannot read.
   */
  private static HttpSenders httpSenders(String signal) {
    HttpSenders senders = HttpSenders.create();
    if (senders.usesJdkClient()) {
      logger.debug("{}: OTLP http/protobuf through the agent's sender, on the JDK alone", signal);
    } else {
      logger.info(
          "{}: this Java runtime lacks the module java.net.http; OTLP http/protobuf goes through"
              + " OkHttp",
          signal);
    }
    return senders;
  }

  /** OkHttp is in use, so its shared threads are to be stopped on a detach. */
  static void usingOkHttp() {
    okHttpUsed = true;
  }

  private static MetricExporter otlpMetricExporter(OtlpSettings otlp) {
    if (otlp.protocol().equals(OtlpSettings.GRPC)) {
      usingOkHttp();
      OtlpGrpcMetricExporterBuilder builder =
          OtlpGrpcMetricExporter.builder()
              .setEndpoint(otlp.endpoint())
              .setTimeout(otlp.timeout())
              .setCompression(otlp.compression());
      otlp.headers().forEach(builder::addHeader);
      otlp.configureTls(builder::setSslContext);
      return builder.build();
    }
    OtlpHttpMetricExporterBuilder builder =
        OtlpHttpMetricExporter.builder()
            .setComponentLoader(httpSenders("metrics"))
            .setEndpoint(otlp.endpoint())
            .setTimeout(otlp.timeout())
            .setCompression(otlp.compression());
    otlp.headers().forEach(builder::addHeader);
    otlp.configureTls(builder::setSslContext);
    return builder.build();
  }

  public Tracer tracer() {
    return tracer;
  }

  public Meter meter() {
    return meter;
  }

  /** W3C trace context and baggage. */
  public TextMapPropagator propagator() {
    return propagator;
  }

  /**
   * @return where traces and metrics go, for the start-up line
   */
  public String destination() {
    return destination;
  }

  /**
   * Exports what is still queued and stops the exporters, waiting at most {@code timeout}: a
   * receiver that hangs cannot hold up the JVM's exit for longer.
   *
   * @return whether everything was flushed in time
   */
  public boolean shutdown(Duration timeout) {
    CompletableResultCode done = new CompletableResultCode();
    // On a thread of its own: the meter provider's shutdown holds its caller up to 10 s whatever
    // the timeout (its reader waits 5 s for its scheduler, then 5 s for a last export).
    Thread stopping =
        new Thread(
            () -> {
              CompletableResultCode stopped =
                  CompletableResultCode.ofAll(
                      Arrays.asList(tracerProvider.shutdown(), meterProvider.shutdown()));
              stopped.whenComplete(
                  () -> {
                    if (stopped.isSuccess()) {
                      done.succeed();
                    } else {
                      done.fail();
                    }
                  });
            },
            "opsagent-exporters-shutdown");
    stopping.setDaemon(true);
    stopping.start();
    boolean flushed = done.join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    SdkLogBridge.uninstall();
    return flushed;
  }

  /**
   * Stops the threads that OkHttp, the gRPC exporters' HTTP client, shares between all its clients:
   * its task runner's pool, whose idle threads would otherwise live on for a minute. For a detach
   * only: no OkHttp client works after it. Okio's watchdog thread cannot be stopped: it ends by
   * itself a minute after the last export.
   */
  public static void stopSharedThreads() {
    if (!okHttpUsed) {
      // Not loaded: http/protobuf goes through the JDK's client, whose threads its sender stops.
      return;
    }
    try {
      Class<?> taskRunner = Class.forName("okhttp3.internal.concurrent.TaskRunner");
      Object runner = taskRunner.getField("INSTANCE").get(null);
      Object backend = field(taskRunner, "backend").get(runner);
      Object executor = field(backend.getClass(), "executor").get(backend);
      if (executor instanceof ExecutorService) {
        ((ExecutorService) executor).shutdown();
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      logger.debug("could not stop OkHttp's task runner: {}", e.toString());
    }
  }

  private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
    Field field = owner.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }
}
