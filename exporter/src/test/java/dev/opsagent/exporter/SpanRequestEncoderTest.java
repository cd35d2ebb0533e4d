/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static io.opentelemetry.api.common.AttributeKey.booleanArrayKey;
import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleArrayKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static io.opentelemetry.api.common.AttributeKey.valueKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent's encoding must say exactly what the SDK's own marshalers say: both are parsed with the
 * official opentelemetry-proto classes and compared message for message.
 */
class SpanRequestEncoderTest {

  private final EndedSpans endedSpans = new EndedSpans();
  private final List<SpanData> ended = endedSpans.spans();

  @Test
  void serverSpanAsTheAgentRecordsIt() throws IOException {
    Tracer tracer = tracer(Resource.getDefault(), SpanLimits.getDefault()).get("dev.opsagent");
    Span span =
        tracer
            .spanBuilder("GET /users/{id}")
            .setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", "GET")
            .setAttribute("url.path", "/users/42")
            .setAttribute("http.response.status_code", 200L)
            .setAttribute("server.port", 8080L)
            .setAttribute("opsagent.cpu.time_ns", 123_456_789L)
            .setAttribute(stringArrayKey("http.request.header.accept"), List.of("*/*", "text/html"))
            .startSpan();
    span.end();

    assertSameAsSdk(ended);
  }

  @Test
  void everyKindOfValue() throws IOException {
    Tracer tracer = tracer(Resource.getDefault(), SpanLimits.getDefault()).get("scope", "1.2");
    Span span =
        tracer
            .spanBuilder("ünïcødé 🚀 name")
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute(stringKey("empty"), "")
            .setAttribute(stringKey("ascii"), "plain")
            .setAttribute(stringKey("two-byte"), "café ñ")
            .setAttribute(stringKey("three-byte"), "日本語")
            .setAttribute(stringKey("surrogate pair"), "a😀b")
            .setAttribute(stringKey("unpaired surrogates"), "x\uD800y\uDC00z\uD83D")
            .setAttribute(stringKey("long"), "x".repeat(200))
            .setAttribute(stringKey("longer"), "é".repeat(20_000))
            .setAttribute(booleanKey("true"), true)
            .setAttribute(booleanKey("false"), false)
            .setAttribute(longKey("zero"), 0L)
            .setAttribute(longKey("negative"), -1L)
            .setAttribute(longKey("max"), Long.MAX_VALUE)
            .setAttribute(longKey("min"), Long.MIN_VALUE)
            .setAttribute(doubleKey("double"), -2.5)
            .setAttribute(doubleKey("double zero"), 0.0)
            .setAttribute(doubleKey("nan"), Double.NaN)
            .setAttribute(stringArrayKey("strings"), List.of("a", "", "ü"))
            .setAttribute(booleanArrayKey("booleans"), List.of(true, false))
            .setAttribute(longArrayKey("longs"), List.of(0L, -5L, 300L))
            .setAttribute(doubleArrayKey("doubles"), List.of(1.5, 0.0))
            .setAttribute(longArrayKey("empty array"), List.of())
            .setAttribute(
                valueKey("value"),
                Value.of(
                    KeyValue.of("s", Value.of("v")),
                    KeyValue.of("list", Value.of(Value.of(1L), Value.of(true), Value.of(2.0))),
                    KeyValue.of("bytes", Value.of(new byte[] {0, 1, (byte) 0xFF})),
                    KeyValue.of("empty", Value.empty())))
            .startSpan();
    span.setStatus(StatusCode.ERROR, "it broke: ½");
    span.addEvent("exception", Attributes.of(stringKey("exception.type"), "java.io.IOException"));
    span.addEvent("no attributes", 5, TimeUnit.MILLISECONDS);
    span.end();

    assertSameAsSdk(ended);
  }

  @Test
  void parentsLinksTraceStateAndLimits() throws IOException {
    SpanLimits limits =
        SpanLimits.builder()
            .setMaxNumberOfAttributes(3)
            .setMaxNumberOfEvents(1)
            .setMaxNumberOfLinks(1)
            .setMaxNumberOfAttributesPerEvent(1)
            .setMaxNumberOfAttributesPerLink(1)
            .build();
    Tracer tracer = tracer(Resource.getDefault(), limits).get("limits");
    SpanContext remoteParent =
        SpanContext.createFromRemoteParent(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.builder().put("vendor", "value").put("other", "x=y").build());
    SpanContext linked =
        SpanContext.create(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getDefault(),
            TraceState.getDefault());
    Span server =
        tracer
            .spanBuilder("remote child")
            .setParent(Context.root().with(Span.wrap(remoteParent)))
            .setSpanKind(SpanKind.SERVER)
            .addLink(linked, Attributes.of(stringKey("a"), "1", stringKey("b"), "2"))
            .addLink(remoteParent)
            .startSpan();
    for (int i = 0; i < 5; i++) {
      server.setAttribute("attribute " + i, i);
    }
    server.addEvent("first", Attributes.of(longKey("x"), 1L, longKey("y"), 2L));
    server.addEvent("second");
    Span child =
        tracer.spanBuilder("local child").setParent(Context.root().with(server)).startSpan();
    child.setStatus(StatusCode.OK);
    child.end();
    server.end();

    assertSameAsSdk(ended);
  }

  @Test
  void severalResourcesAndScopes() throws IOException {
    Resource other = Resource.create(Attributes.of(stringKey("service.name"), "other"));
    tracer(Resource.getDefault(), SpanLimits.getDefault())
        .get("a")
        .spanBuilder("1")
        .startSpan()
        .end();
    tracer(other, SpanLimits.getDefault()).get("b").spanBuilder("2").startSpan().end();
    SdkTracerProvider provider = tracer(Resource.getDefault(), SpanLimits.getDefault());
    provider.get("c").spanBuilder("3").startSpan().end();
    provider.get("d", "2.0").spanBuilder("4").startSpan().end();
    provider.get("c").spanBuilder("5").startSpan().end();

    assertSameAsSdk(ended);
  }

  @Test
  void manySpansReusingOneWriter() throws IOException {
    Tracer tracer = tracer(Resource.getDefault(), SpanLimits.getDefault()).get("many");
    Random random = new Random(42);
    for (int i = 0; i < 600; i++) {
      tracer
          .spanBuilder("span " + i)
          .setAttribute("size", "y".repeat(random.nextInt(300)))
          .setAttribute("n", random.nextLong())
          .startSpan()
          .end();
    }
    ProtoWriter writer = new ProtoWriter(16);
    new SpanRequestEncoder().encode(List.of(ended.get(0)), writer);
    writer.reset();

    assertSameAsSdk(ended, writer);
  }

  @Test
  void spansEndedWithAttributesBesideThem() throws IOException {
    EndAttributes costs =
        new EndAttributes() {
          @Override
          public int count() {
            return 3;
          }

          @Override
          public AttributeKey<Long> key(int index) {
            return longKey("opsagent.cost." + index);
          }

          @Override
          public long value(int index) {
            return index == 0 ? 0 : 123_456_789L * index;
          }
        };
    for (int maxAttributes : new int[] {128, 4, 2}) {
      SpanQueueLimit gate =
          new SpanQueueLimit(
              100, new ExportHealth("spans", "otlp test", "fix it", null), maxAttributes);
      Tracer tracer =
          SdkTracerProvider.builder()
              .setSpanLimits(SpanLimits.builder().setMaxNumberOfAttributes(maxAttributes).build())
              .addSpanProcessor(gate.before(endedSpans))
              .build()
              .get("ended");
      Span span =
          tracer
              .spanBuilder("GET /users/{id}")
              .setAttribute("http.request.method", "GET")
              .setAttribute("http.response.status_code", 200L)
              .setAttribute("url.path", "/users/42")
              .startSpan();
      SpanEnds.end(span, SpanEnds.epochNanos(Instant.now()), costs);

      assertThat(ended).hasSize(1);
      assertSameAsSdk(ended);
      ended.clear();
    }
  }

  @Test
  void noSpansIsAnEmptyRequest() throws IOException {
    assertSameAsSdk(List.of());
  }

  private SdkTracerProvider tracer(Resource resource, SpanLimits limits) {
    return SdkTracerProvider.builder()
        .setResource(resource)
        .setSpanLimits(limits)
        .addSpanProcessor(endedSpans)
        .build();
  }

  private static void assertSameAsSdk(List<SpanData> spans) throws IOException {
    assertSameAsSdk(spans, new ProtoWriter(64));
  }

  private static void assertSameAsSdk(List<SpanData> spans, ProtoWriter writer) throws IOException {
    ByteArrayOutputStream sdk = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(sdk);
    new SpanRequestEncoder().encode(spans, writer);
    byte[] ours = Arrays.copyOf(writer.array(), writer.size());

    ExportTraceServiceRequest expected = ExportTraceServiceRequest.parseFrom(sdk.toByteArray());
    assertThat(inOneOrder(ExportTraceServiceRequest.parseFrom(ours)))
        .isEqualTo(inOneOrder(expected));
    assertThat(ours).hasSameSizeAs(sdk.toByteArray());
  }

  /** The SDK groups spans by resource and scope in hash maps' order; ours keep first-seen. */
  private static ExportTraceServiceRequest inOneOrder(ExportTraceServiceRequest request) {
    List<ResourceSpans> resources = new ArrayList<>();
    for (ResourceSpans resource : request.getResourceSpansList()) {
      List<ScopeSpans> scopes = new ArrayList<>(resource.getScopeSpansList());
      scopes.sort(Comparator.comparing(scope -> scope.getScope().toString()));
      resources.add(resource.toBuilder().clearScopeSpans().addAllScopeSpans(scopes).build());
    }
    resources.sort(Comparator.comparing(resource -> resource.getResource().toString()));
    return request.toBuilder().clearResourceSpans().addAllResourceSpans(resources).build();
  }
}
