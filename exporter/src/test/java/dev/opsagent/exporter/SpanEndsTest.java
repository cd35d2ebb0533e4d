/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpanEndsTest {

  private static final Instant END = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
  private static final long END_NANOS = SpanEnds.epochNanos(END);

  private final ExportHealth health = new ExportHealth("spans", "otlp test", "fix it", null);
  private final EndedSpans queued = new EndedSpans();

  /** Five end attributes, the keys named {@code end.0} to {@code end.4}, values 100 to 104. */
  private static final EndAttributes FIVE =
      new EndAttributes() {
        @Override
        public int count() {
          return 5;
        }

        @Override
        public AttributeKey<Long> key(int index) {
          return AttributeKey.longKey("end." + index);
        }

        @Override
        public long value(int index) {
          return 100 + index;
        }
      };

  @ParameterizedTest(name = "attribute limit {0}")
  @ValueSource(ints = {128, 16, 14, 12})
  void aSpanEndedWithAttributesIsExportedAsIfItHadBeenGivenThemLast(int maxAttributes) {
    Tracer tracer = tracer(maxAttributes);

    Span given = ownAttributes(tracer.spanBuilder("given").startSpan());
    for (int i = 0; i < FIVE.count(); i++) {
      given.setAttribute(FIVE.key(i), FIVE.value(i));
    }
    given.end(END);
    SpanEnds.end(ownAttributes(tracer.spanBuilder("ended").startSpan()), END_NANOS, FIVE);

    SpanData expected = queued.spans().get(0);
    SpanData ended = queued.spans().get(1);
    assertThat(inOrder(ended.getAttributes())).isEqualTo(inOrder(expected.getAttributes()));
    assertThat(ended.getAttributes().size()).isEqualTo(expected.getAttributes().size());
    assertThat(ended.getAttributes().asMap()).isEqualTo(expected.getAttributes().asMap());
    assertThat(ended.getAttributes()).isEqualTo(expected.getAttributes());
    assertThat(ended.getAttributes().toBuilder().build())
        .isEqualTo(expected.getAttributes().toBuilder().build());
    assertThat(ended.getTotalAttributeCount()).isEqualTo(expected.getTotalAttributeCount());
    assertThat(ended.getAttributes().get(AttributeKey.longKey("end.4")))
        .isEqualTo(expected.getAttributes().get(AttributeKey.longKey("end.4")));
    assertThat(ended.getAttributes().get(AttributeKey.stringKey("own.3"))).isEqualTo("value 3");
    assertThat(ended.getEndEpochNanos()).isEqualTo(expected.getEndEpochNanos());
    assertThat(ended.getName()).isEqualTo("ended");
  }

  @Test
  void theNextSpanEndedOnTheThreadGetsNoneOfThem() {
    Tracer tracer = tracer(128);

    SpanEnds.end(ownAttributes(tracer.spanBuilder("ended").startSpan()), END_NANOS, FIVE);
    ownAttributes(tracer.spanBuilder("plain").startSpan()).end(END);

    assertThat(queued.spans().get(0).getAttributes().size()).isEqualTo(14 + 5);
    assertThat(queued.spans().get(1).getAttributes().size()).isEqualTo(14);
    assertThat(queued.spans().get(1).getTotalAttributeCount()).isEqualTo(14);
  }

  @Test
  void aSpanEndedTwiceIsQueuedOnce() {
    Tracer tracer = tracer(128);
    Span span = ownAttributes(tracer.spanBuilder("ended").startSpan());

    SpanEnds.end(span, END_NANOS, FIVE);
    SpanEnds.end(span, END_NANOS, FIVE);

    assertThat(queued.spans()).hasSize(1);
  }

  /** 14 attributes, as a server span has when its request ends. */
  private static Span ownAttributes(Span span) {
    for (int i = 0; i < 14; i++) {
      span.setAttribute("own." + i, "value " + i);
    }
    return span;
  }

  private static List<String> inOrder(Attributes attributes) {
    List<String> pairs = new ArrayList<>();
    attributes.forEach((key, value) -> pairs.add(key.getKey() + "=" + value));
    return pairs;
  }

  private Tracer tracer(int maxAttributes) {
    SpanQueueLimit limit = new SpanQueueLimit(100, health, maxAttributes);
    return SdkTracerProvider.builder()
        .setSpanLimits(SpanLimits.builder().setMaxNumberOfAttributes(maxAttributes).build())
        .addSpanProcessor(limit.before(queued))
        .build()
        .get("test");
  }
}
