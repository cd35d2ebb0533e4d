package dev.opsagent.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opsagent.smoke.harness.ChildJvm;
import dev.opsagent.smoke.harness.OtlpReceiver;
import dev.opsagent.smoke.harness.ReceiverTls;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What the smoke tests share: timeouts, agent settings, the agent's log lines, metric points. */
final class Smoke {

  /** Generous: a slow CI machine must not fail a test, only make it slower. */
  static final Duration AWAIT = Duration.ofSeconds(30);

  /** How long the agent may take to print a log line it owes. */
  static final Duration LOG_AWAIT = Duration.ofSeconds(10);

  /** Span export every 100 ms: far below any await, so tests stay fast. */
  static final String FAST_SPANS = "otel.bsp.schedule.delay=100";

  static final String FAST_METRICS = "otel.metric.export.interval=500";

  /** With no collector to flush to, the exit need not wait the default 10 s for one. */
  static final String QUICK_EXIT = "opsagent.shutdown.timeout=1s";

  static final String JDK_HTTP_SERVER_APP = "dev.opsagent.smoke.apps.JdkHttpServerApp";
  static final String OWN_TELEMETRY_APP = "dev.opsagent.smoke.apps.OwnTelemetryApp";

  private static final String AGENT_LINE = "[opsagent] ";

  private Smoke() {}

  /** The OTLP receivers, one per protocol the agent speaks. */
  enum Protocol {
    HTTP_PROTOBUF("http/protobuf"),
    GRPC("grpc");

    final String value;

    Protocol(String value) {
      this.value = value;
    }

    OtlpReceiver start() throws IOException {
      return start(0);
    }

    /** A receiver on {@code port} (0: a free one). */
    OtlpReceiver start(int port) throws IOException {
      return this == GRPC ? OtlpReceiver.startGrpc(port) : OtlpReceiver.startHttp(port);
    }

    OtlpReceiver start(ReceiverTls tls) throws IOException {
      return this == GRPC ? OtlpReceiver.startGrpc(tls) : OtlpReceiver.startHttp(tls);
    }

    @Override
    public String toString() {
      return value;
    }
  }

  /** Agent arguments that send both signals to {@code receiver} in its protocol. */
  static String exportTo(OtlpReceiver receiver) {
    return "otel.exporter.otlp.endpoint="
        + receiver.endpoint()
        + ",otel.exporter.otlp.protocol="
        + receiver.protocol();
  }

  /** Agent arguments: {@code key=value} settings joined with commas. */
  static String args(String... settings) {
    return String.join(",", settings);
  }

  /** The agent's log lines on the application's stderr (JVM warnings and the like excluded). */
  static List<String> agentLines(ChildJvm app) {
    return app.stderrLines().stream()
        .filter(line -> line.startsWith(AGENT_LINE))
        .collect(Collectors.toList());
  }

  /** The agent's log lines at WARN or ERROR. */
  static List<String> agentProblems(ChildJvm app) {
    return agentLines(app).stream()
        .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
        .collect(Collectors.toList());
  }

  /** The agent's log lines containing {@code text}. */
  static List<String> agentLinesContaining(ChildJvm app, String text) {
    return agentLines(app).stream()
        .filter(line -> line.contains(text))
        .collect(Collectors.toList());
  }

  /** Waits for the agent's start-up line and returns it. */
  static String awaitStarted(ChildJvm app) {
    String line = app.awaitStderr(" INFO AgentStarter: opsagent ", LOG_AWAIT);
    assertThat(line).startsWith(AGENT_LINE).contains(" started in ");
    return line;
  }

  /** A loopback port that nothing listens on (it was free a moment ago). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The data points of a histogram metric whose attributes include all of {@code attributes}. */
  static List<HistogramDataPoint> histogramPoints(Metric metric, Map<String, String> attributes) {
    if (!metric.hasHistogram()) {
      return List.of();
    }
    return metric.getHistogram().getDataPointsList().stream()
        .filter(
            point ->
                attributes.entrySet().stream()
                    .allMatch(
                        expected ->
                            expected
                                .getValue()
                                .equals(attr(point.getAttributesList(), expected.getKey()))))
        .collect(Collectors.toList());
  }

  /**
   * A histogram's unit, temporality and data points (attributes and count), for failure messages.
   */
  static String describePoints(Metric metric) {
    if (!metric.hasHistogram()) {
      return metric.getName() + " (not a histogram): " + metric;
    }
    return metric.getName()
        + " ["
        + metric.getUnit()
        + ", "
        + metric.getHistogram().getAggregationTemporality()
        + "] "
        + metric.getHistogram().getDataPointsList().stream()
            .map(
                point ->
                    point.getAttributesList().stream()
                        .map(attribute -> attribute.getKey() + "=" + text(attribute.getValue()))
                        .collect(Collectors.joining(", ", "{", "} count=" + point.getCount())))
            .collect(Collectors.joining("; "));
  }

  /** An attribute as text (string, int, double or bool), {@code null} when absent. */
  static String attr(List<KeyValue> attributes, String key) {
    return attributes.stream()
        .filter(attribute -> attribute.getKey().equals(key))
        .map(attribute -> text(attribute.getValue()))
        .findFirst()
        .orElse(null);
  }

  private static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      default -> value.toString();
    };
  }

  /** Waits until the sum {@code name} with those attributes reaches {@code atLeast}. */
  static long awaitSum(
      OtlpReceiver receiver, String name, Map<String, String> attributes, long atLeast) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    long seen = latestSum(receiver, name, attributes);
    while (seen < atLeast && System.nanoTime() < deadline) {
      Smoke.pause(Duration.ofMillis(200));
      seen = latestSum(receiver, name, attributes);
    }
    return seen;
  }

  /**
   * The latest value of the sum {@code name} with those attributes, summed over the points that
   * have them, once it was exported at least once after the points appeared; 0 if none.
   */
  static long latestSum(OtlpReceiver receiver, String name, Map<String, String> attributes) {
    long latest = 0;
    for (Metric metric : receiver.metrics()) {
      if (metric.getName().equals(name) && metric.hasSum()) {
        long total = 0;
        for (NumberDataPoint point : metric.getSum().getDataPointsList()) {
          if (attributes.entrySet().stream()
              .allMatch(
                  entry ->
                      entry.getValue().equals(attr(point.getAttributesList(), entry.getKey())))) {
            total += point.getAsInt();
          }
        }
        latest = total;
      }
    }
    return latest;
  }

  /** Sleeps without making the test deal with interruption. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
