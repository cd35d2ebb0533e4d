/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanQueueLimitTest {

  private final ExportHealth health = new ExportHealth("spans", "otlp test", "fix it", null);
  private final SpanQueueLimit limit = new SpanQueueLimit(2, health, 128);

  /** Stands for the batch span processor: what reaches it is queued. */
  private final EndedSpans queued = new EndedSpans();

  @Test
  void spansBeyondTheCapacityAreDroppedAndCounted() {
    Tracer tracer = tracer(Sampler.alwaysOn());

    for (String name : List.of("a", "b", "c", "d")) {
      tracer.spanBuilder(name).startSpan().end();
    }

    assertThat(names(queued)).containsExactly("a", "b");
    assertThat(health.dropped()).isEqualTo(2);
  }

  @Test
  void spansTakenByTheExporterFreeTheirPlaces() {
    Tracer tracer = tracer(Sampler.alwaysOn());
    tracer.spanBuilder("a").startSpan().end();
    tracer.spanBuilder("b").startSpan().end();

    limit.taken(2);
    tracer.spanBuilder("c").startSpan().end();
    tracer.spanBuilder("d").startSpan().end();

    assertThat(names(queued)).containsExactly("a", "b", "c", "d");
    assertThat(health.dropped()).isZero();
  }

  @Test
  void spansRecordedButNotSampledTakeNoPlace() {
    Sampler recordOnly =
        new Sampler() {
          @Override
          public SamplingResult shouldSample(
              Context parentContext,
              String traceId,
              String name,
              SpanKind spanKind,
              Attributes attributes,
              List<LinkData> parentLinks) {
            return SamplingResult.recordOnly();
          }

          @Override
          public String getDescription() {
            return "record only";
          }
        };
    Tracer tracer = tracer(recordOnly);

    for (int i = 0; i < 5; i++) {
      tracer.spanBuilder("unsampled").startSpan().end();
    }

    assertThat(queued.spans()).isEmpty();
    assertThat(health.dropped()).isZero();
    assertThat(limit.admit()).as("a place is still free").isTrue();
  }

  private Tracer tracer(Sampler sampler) {
    return SdkTracerProvider.builder()
        .setSampler(sampler)
        .addSpanProcessor(limit.before(queued))
        .build()
        .get("test");
  }

  private static List<String> names(EndedSpans spans) {
    return spans.spans().stream().map(SpanData::getName).collect(Collectors.toList());
  }
}
