/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The local OTLP receiver every variant exports to: http/protobuf on 127.0.0.1, each request
 * decoded with the official opentelemetry-proto classes, spans counted (and their bytes on the
 * wire), and the few metrics that say whether an agent dropped or failed to export anything.
 *
 * <p>It answers as soon as it has read a request and decodes it just after, on its own thread, so
 * that its decoding (5 to 10 ms for 512 spans on a busy 2-core machine) does not pace the agent's
 * exporter, which sends one batch at a time. Trace requests are only walked down to their spans
 * ({@link #countSpans}), and one in {@value #DECODE_EVERY} is decoded whole as well, its spans
 * counted both ways: the receiver shares the two cores with the server it measures, and decoding
 * every span cost them 1.6 µs of CPU per span. A request that does not decode, or whose two counts
 * differ, counts as rejected. It also times how long each trace export's body takes to arrive once
 * its headers have: a sender that leaves Nagle's algorithm on (OkHttp does) waits for this side's
 * delayed ACK, about 40 ms.
 */
final class OtlpSink implements AutoCloseable {

  /** What arrived since the last {@link #take()}. */
  record Counts(
      long spans,
      long spanBytes,
      long traceRequests,
      long metricRequests,
      long metricPoints,
      long logRecords,
      long rejected,
      double medianReadMillis,
      double slowReadShare,
      Map<String, Double> watched) {

    /** A watched counter's total: its series (one per attribute set) added up; 0 if none came. */
    double metric(String key) {
      return total(watched, key);
    }
  }

  private static double total(Map<String, Double> watched, String key) {
    double sum = 0;
    for (Map.Entry<String, Double> entry : watched.entrySet()) {
      if (entry.getKey().startsWith(key + "[")) {
        sum += entry.getValue();
      }
    }
    return sum;
  }

  /**
   * The metrics kept, by name and attribute: the batch span processor's processed/dropped counter
   * (its legacy name and the semantic-convention one) and opsagent's export health, whose dropped
   * spans the processor never sees (opsagent drops them in front of it).
   */
  static final String DROPPED = "bsp.dropped";

  static final String PROCESSED = "bsp.processed";
  static final String EXPORT_FAILED = "opsagent.export.failed";
  private static final String EXPORT_DROPPED = "opsagent.export.dropped";

  /** One trace request in this many is decoded whole with the official classes. */
  static final int DECODE_EVERY = 16;

  private static final String TRACES = "/v1/traces";
  private static final String METRICS = "/v1/metrics";
  private static final String LOGS = "/v1/logs";

  private final HttpServer server;
  private final ExecutorService executor;
  private final ExecutorService decoder;
  private final Object lock = new Object();
  private long spans;
  private long spanBytes;
  private long traceRequests;
  private long metricRequests;
  private long metricPoints;
  private long logRecords;
  private long rejected;
  private long undecodable;

  /** Trace requests the decoder has taken, on its thread only. */
  private long tracesTaken;

  private long pending;
  private long[] readNanos = new long[1024];
  private int reads;
  private Map<String, Double> watched = new TreeMap<>();
  private long lastRequestNanos = System.nanoTime();

  OtlpSink() throws IOException {
    executor =
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread thread = new Thread(task, "otlp-sink");
              thread.setDaemon(true);
              return thread;
            });
    decoder =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "otlp-sink-decoder");
              thread.setDaemon(true);
              return thread;
            });
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Spans received so far, without resetting. */
  long spansSoFar() {
    synchronized (lock) {
      return spans;
    }
  }

  /** A watched counter's total as last received, without resetting (see {@link Counts#metric}). */
  double metricSoFar(String key) {
    synchronized (lock) {
      return total(watched, key);
    }
  }

  /** Nanoseconds since the last export request arrived; 0 while one is still being decoded. */
  long quietNanos() {
    synchronized (lock) {
      return pending > 0 ? 0 : System.nanoTime() - lastRequestNanos;
    }
  }

  /** Everything received since the last call, and starts counting from zero. */
  Counts take() {
    synchronized (lock) {
      Counts counts =
          new Counts(
              spans,
              spanBytes,
              traceRequests,
              metricRequests,
              metricPoints,
              logRecords,
              rejected + undecodable,
              medianReadMillis(),
              slowReadShare(),
              watched);
      reads = 0;
      spans = spanBytes = traceRequests = metricRequests = metricPoints = logRecords = 0;
      rejected = undecodable = 0;
      watched = new TreeMap<>();
      return counts;
    }
  }

  /** Median time from a trace export's arrival to its whole body read, in ms. */
  private double medianReadMillis() {
    if (reads == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(readNanos, reads);
    Arrays.sort(sorted);
    return sorted[reads / 2] / 1e6;
  }

  /** The share of trace exports whose body took 30 ms or more to arrive. */
  private double slowReadShare() {
    int slow = 0;
    for (int i = 0; i < reads; i++) {
      slow += readNanos[i] >= 30_000_000 ? 1 : 0;
    }
    return reads == 0 ? Double.NaN : (double) slow / reads;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    decoder.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals(TRACES) && !path.equals(METRICS) && !path.equals(LOGS)) {
        reject(exchange, 404, "not an OTLP path");
        return;
      }
      byte[] body;
      try (InputStream in =
          "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
              ? new GZIPInputStream(exchange.getRequestBody())
              : exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      long read = System.nanoTime();
      synchronized (lock) {
        pending++;
        lastRequestNanos = read;
        if (path.equals(TRACES)) {
          if (reads == readNanos.length) {
            readNanos = Arrays.copyOf(readNanos, reads * 2);
          }
          readNanos[reads++] = read - start;
        }
      }
      decoder.execute(() -> decode(path, body));
      // The three OTLP responses are empty messages: no body.
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
    }
  }

  private void decode(String path, byte[] body) {
    try {
      switch (path) {
        case TRACES -> traces(body);
        case METRICS -> metrics(ExportMetricsServiceRequest.parseFrom(body));
        default -> logs(ExportLogsServiceRequest.parseFrom(body));
      }
    } catch (InvalidProtocolBufferException e) {
      synchronized (lock) {
        undecodable++;
      }
    } finally {
      synchronized (lock) {
        pending--;
      }
    }
  }

  private void reject(HttpExchange exchange, int status, String message) throws IOException {
    synchronized (lock) {
      rejected++;
      lastRequestNanos = System.nanoTime();
    }
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, text.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(text);
    }
  }

  private void traces(byte[] body) throws InvalidProtocolBufferException {
    long count = countSpans(body);
    if (count < 0 || (tracesTaken++ % DECODE_EVERY == 0 && decodedSpans(body) != count)) {
      throw new InvalidProtocolBufferException("malformed, or its spans walked and decoded differ");
    }
    synchronized (lock) {
      spans += count;
      spanBytes += body.length;
      traceRequests++;
      lastRequestNanos = System.nanoTime();
    }
  }

  private static long decodedSpans(byte[] body) throws InvalidProtocolBufferException {
    long count = 0;
    for (ResourceSpans resourceSpans :
        ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        count += scopeSpans.getSpansCount();
      }
    }
    return count;
  }

  /**
   * The spans of an {@code ExportTraceServiceRequest}, counted by walking its length-delimited
   * fields {@code resource_spans} (1), their {@code scope_spans} (2) and theirs {@code spans} (2),
   * every other field skipped, the spans not decoded.
   *
   * @return the number of spans, or -1 if those levels are not well-formed protobuf
   */
  static long countSpans(byte[] body) {
    return new SpanWalk(body).spans(body.length, 0);
  }

  /** A walk through one trace request, {@link #countSpans}. */
  private static final class SpanWalk {
    /** The depth of {@code spans}: request, resource_spans, scope_spans. */
    private static final int SPANS_DEPTH = 2;

    private final byte[] body;

    private int position;

    SpanWalk(byte[] body) {
      this.body = body;
    }

    /** The spans from here to {@code to} at {@code depth} (0: the request); -1 if malformed. */
    long spans(int to, int depth) {
      long count = 0;
      while (position < to) {
        long tag = varint(to);
        switch ((int) (tag & 7)) {
          case 0 -> {
            if (!skipVarint(to)) {
              return -1;
            }
          }
          case 1, 5 -> {
            position += (tag & 7) == 1 ? 8 : 4;
            if (position > to) {
              return -1;
            }
          }
          case 2 -> {
            long length = varint(to);
            if (length < 0 || length > to - position) {
              return -1;
            }
            int end = position + (int) length;
            if (tag >>> 3 == (depth == 0 ? 1 : 2)) {
              long inner = depth == SPANS_DEPTH ? 1 : spans(end, depth + 1);
              if (inner < 0) {
                return -1;
              }
              count += inner;
            }
            position = end;
          }
          default -> {
            return -1;
          }
        }
      }
      return count;
    }

    /** A tag or a length: -1 if it does not end before {@code to} or does not fit 63 bits. */
    private long varint(int to) {
      long value = 0;
      for (int shift = 0; shift < 63 && position < to; shift += 7) {
        byte b = body[position++];
        value |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return value;
        }
      }
      return -1;
    }

    private boolean skipVarint(int to) {
      for (int bytes = 0; bytes < 10 && position < to; bytes++) {
        if (body[position++] >= 0) {
          return true;
        }
      }
      return false;
    }
  }

  private void logs(ExportLogsServiceRequest request) {
    long count = 0;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        count += scopeLogs.getLogRecordsCount();
      }
    }
    synchronized (lock) {
      logRecords += count;
      lastRequestNanos = System.nanoTime();
    }
  }

  private void metrics(ExportMetricsServiceRequest request) {
    synchronized (lock) {
      metricRequests++;
      lastRequestNanos = System.nanoTime();
      for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
        for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
          for (Metric metric : scopeMetrics.getMetricsList()) {
            metricPoints += points(metric);
            watch(metric);
          }
        }
      }
    }
  }

  private static int points(Metric metric) {
    switch (metric.getDataCase()) {
      case SUM:
        return metric.getSum().getDataPointsCount();
      case GAUGE:
        return metric.getGauge().getDataPointsCount();
      case HISTOGRAM:
        return metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return metric.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  /** Cumulative counters: the largest value received is the total. */
  private void watch(Metric metric) {
    String name = metric.getName();
    boolean processed =
        name.equals("processedSpans") || name.equals("otel.sdk.processor.span.processed");
    boolean queueFull = name.equals(EXPORT_DROPPED);
    if (!(processed || queueFull || name.equals(EXPORT_FAILED)) || !metric.hasSum()) {
      return;
    }
    for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
      double value =
          point.getValueCase() == NumberDataPoint.ValueCase.AS_INT
              ? point.getAsInt()
              : point.getAsDouble();
      String key;
      if (processed) {
        boolean dropped = false;
        for (KeyValue attribute : point.getAttributesList()) {
          dropped |=
              (attribute.getKey().equals("dropped") && attribute.getValue().getBoolValue())
                  || attribute.getKey().equals("error.type");
        }
        key = dropped ? DROPPED : PROCESSED;
      } else {
        key = queueFull ? DROPPED : EXPORT_FAILED;
      }
      // One cumulative series per attribute set; several sets under one key are added.
      String series = key + point.getAttributesList();
      watched.merge(series, value, Math::max);
    }
  }
}
