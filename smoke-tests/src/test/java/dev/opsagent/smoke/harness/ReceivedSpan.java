package dev.opsagent.smoke.harness;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One span as received by {@link OtlpReceiver}, together with the resource and instrumentation
 * scope it was exported under, so assertions need not walk the OTLP request nesting.
 */
public record ReceivedSpan(Span span, Resource resource, InstrumentationScope scope) {

  private static final HexFormat HEX = HexFormat.of();

  public String name() {
    return span.getName();
  }

  public Span.SpanKind kind() {
    return span.getKind();
  }

  /**
   * The attribute as text: string values as they are, int, double and bool values in their {@code
   * toString} form; {@code null} when absent or not a scalar (see {@link #arrayAttr}).
   */
  public String attr(String key) {
    return find(span.getAttributesList(), key).map(ReceivedSpan::scalarText).orElse(null);
  }

  /** The int attribute, {@code null} when absent or of another type. */
  public Long longAttr(String key) {
    return find(span.getAttributesList(), key)
        .filter(AnyValue::hasIntValue)
        .map(AnyValue::getIntValue)
        .orElse(null);
  }

  /**
   * The array attribute's elements as text (as {@link #attr}), {@code null} when absent or not an
   * array.
   */
  public List<String> arrayAttr(String key) {
    return find(span.getAttributesList(), key)
        .filter(AnyValue::hasArrayValue)
        .map(
            value ->
                value.getArrayValue().getValuesList().stream()
                    .map(ReceivedSpan::scalarText)
                    .collect(Collectors.toList()))
        .orElse(null);
  }

  /** A resource attribute as text (as {@link #attr}). */
  public String resourceAttr(String key) {
    return find(resource.getAttributesList(), key).map(ReceivedSpan::scalarText).orElse(null);
  }

  public String traceIdHex() {
    return hex(span.getTraceId());
  }

  public String spanIdHex() {
    return hex(span.getSpanId());
  }

  /** The parent span id, empty for a root span. */
  public String parentSpanIdHex() {
    return hex(span.getParentSpanId());
  }

  /** Name, kind, ids and attributes on one line: what a failing assertion needs to show. */
  @Override
  public String toString() {
    return name()
        + " ["
        + kind()
        + " trace="
        + traceIdHex()
        + " span="
        + spanIdHex()
        + " parent="
        + parentSpanIdHex()
        + "] "
        + describe(span.getAttributesList());
  }

  private static String describe(List<KeyValue> attributes) {
    return attributes.stream()
        .map(attribute -> attribute.getKey() + "=" + text(attribute.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static Optional<AnyValue> find(List<KeyValue> attributes, String key) {
    return attributes.stream()
        .filter(attribute -> attribute.getKey().equals(key))
        .map(KeyValue::getValue)
        .findFirst();
  }

  private static String scalarText(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      default -> null;
    };
  }

  private static String text(AnyValue value) {
    if (value.hasArrayValue()) {
      return value.getArrayValue().getValuesList().stream()
          .map(ReceivedSpan::text)
          .collect(Collectors.joining(", ", "[", "]"));
    }
    String scalar = scalarText(value);
    return scalar != null ? scalar : value.getValueCase().toString();
  }

  private static String hex(ByteString id) {
    return HEX.formatHex(id.toByteArray());
  }
}
