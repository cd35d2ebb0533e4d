/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OtlpSinkTest {

  @Test
  void walkCountsTheSpansOfEveryScope() {
    ExportTraceServiceRequest request = request(3, 0, 5, 512);

    assertThat(OtlpSink.countSpans(request.toByteArray())).isEqualTo(3 + 5 + 512);
    assertThat(OtlpSink.countSpans(new byte[0])).isZero();
  }

  @Test
  void walkSkipsFieldsOfEveryWireTypeAroundTheSpans() {
    // Unknown fields of wire types 0 (a negative int64: ten bytes), 1 and 5 between the levels.
    ScopeSpans scope =
        scope(2).toBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(-1).build())
                    .addField(
                        10, UnknownFieldSet.Field.newBuilder().addFixed64(7).addFixed32(3).build())
                    .build())
            .build();
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope).setSchemaUrl("s"))
            .build();

    assertThat(OtlpSink.countSpans(request.toByteArray())).isEqualTo(2);
  }

  @Test
  void walkRefusesATruncatedBody() {
    byte[] body = request(4).toByteArray();

    for (int cut : new int[] {1, 7, body.length / 2}) {
      assertThat(OtlpSink.countSpans(Arrays.copyOf(body, body.length - cut)))
          .as("cut %d bytes", cut)
          .isEqualTo(-1);
    }
  }

  @Test
  void receiverCountsSpansOverHttpAndRejectsWhatIsNotOtlp() throws Exception {
    try (OtlpSink sink = new OtlpSink()) {
      HttpClient client = HttpClient.newHttpClient();
      byte[] nineSpans = request(2, 7).toByteArray();
      for (int i = 0; i < OtlpSink.DECODE_EVERY; i++) {
        assertThat(post(client, sink, nineSpans)).isEqualTo(200);
      }
      // The next trace request is decoded whole: well-formed down to the spans (a resource
      // holding 3 bytes), not inside them, so only the decoding finds it wrong.
      post(
          client, sink, new byte[] {0x0a, 0x05, 0x0a, 0x03, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      for (int i = 0; i < 3; i++) {
        post(client, sink, nineSpans);
      }
      // The walk finds this one wrong: a length beyond the body.
      post(client, sink, new byte[] {0x0a, 0x7f});
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (sink.quietNanos() < 100_000_000L && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }

      OtlpSink.Counts counts = sink.take();
      assertThat(counts.spans()).isEqualTo((OtlpSink.DECODE_EVERY + 3) * 9L);
      assertThat(counts.traceRequests()).isEqualTo(OtlpSink.DECODE_EVERY + 3);
      assertThat(counts.rejected()).isEqualTo(2);
    }
  }

  private static int post(HttpClient client, OtlpSink sink, byte[] body) throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(sink.endpoint() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** One resource, and in it one scope per count with that many spans. */
  private static ExportTraceServiceRequest request(int... spansPerScope) {
    ResourceSpans.Builder resource =
        ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attribute("service.name", "svc")));
    for (int spans : spansPerScope) {
      resource.addScopeSpans(scope(spans));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(resource)
        .addResourceSpans(ResourceSpans.newBuilder().setSchemaUrl("https://example.com/schema"))
        .build();
  }

  private static ScopeSpans scope(int spans) {
    ScopeSpans.Builder scope =
        ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("scope"));
    for (int i = 0; i < spans; i++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(new byte[16]))
              .setSpanId(ByteString.copyFrom(new byte[8]))
              .setName("GET /hello")
              .setKind(Span.SpanKind.SPAN_KIND_SERVER)
              .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
              .setEndTimeUnixNano(1_700_000_000_000_100_000L + i)
              .addAttributes(attribute("url.path", "/hello"))
              .addEvents(Span.Event.newBuilder().setName("event")));
    }
    return scope.build();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
