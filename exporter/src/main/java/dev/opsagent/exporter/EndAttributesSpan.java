/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An ended span with the {@link EndAttributes} it ended with, as the export queue holds it: its
 * data, and its attributes wherever they are read, are the SDK span's followed by those, exactly as
 * if the span had been given them last. Of them, only as many are kept as the span's attribute
 * limit leaves room for, and all are counted, as the SDK counts what it drops.
 */
final class EndAttributesSpan implements ReadableSpan {

  private final ReadableSpan span;
  private final EndAttributes end;
  private final int maxAttributes;

  EndAttributesSpan(ReadableSpan span, EndAttributes end, int maxAttributes) {
    this.span = span;
    this.end = end;
    this.maxAttributes = maxAttributes;
  }

  @Override
  public SpanData toSpanData() {
    return new Data(span.toSpanData());
  }

  @Override
  public <T> T getAttribute(AttributeKey<T> key) {
    return getAttributes().get(key);
  }

  @Override
  public Attributes getAttributes() {
    return new Merged(span.getAttributes(), end, maxAttributes);
  }

  @Override
  public SpanContext getSpanContext() {
    return span.getSpanContext();
  }

  @Override
  public SpanContext getParentSpanContext() {
    return span.getParentSpanContext();
  }

  @Override
  public String getName() {
    return span.getName();
  }

  @Override
  @Deprecated
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return span.getInstrumentationLibraryInfo();
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return span.getInstrumentationScopeInfo();
  }

  @Override
  public boolean hasEnded() {
    return span.hasEnded();
  }

  @Override
  public long getLatencyNanos() {
    return span.getLatencyNanos();
  }

  @Override
  public SpanKind getKind() {
    return span.getKind();
  }

  /** What the export queue hands the exporters. */
  final class Data extends DelegatingSpanData {
    private final int totalAttributeCount;

    /** Made when asked for: the agent's encoder reads the two parts without it. */
    private Merged attributes;

    Data(SpanData data) {
      super(data);
      this.totalAttributeCount = data.getTotalAttributeCount() + end.count();
    }

    @Override
    public Attributes getAttributes() {
      Merged merged = attributes;
      if (merged == null) {
        merged = new Merged(super.getAttributes(), end, maxAttributes);
        attributes = merged;
      }
      return merged;
    }

    /** The span's own attributes. */
    Attributes ownAttributes() {
      return super.getAttributes();
    }

    /** What the span ended with: the first {@link #endCount()} of it are kept. */
    EndAttributes endAttributes() {
      return end;
    }

    int endCount() {
      return Merged.endCount(super.getAttributes(), end, maxAttributes);
    }

    @Override
    public int getTotalAttributeCount() {
      return totalAttributeCount;
    }
  }

  /** The span's own attributes, then those it ended with that fit within the limit. */
  private static final class Merged implements Attributes {
    private final Attributes own;
    private final EndAttributes end;
    private final int endCount;

    Merged(Attributes own, EndAttributes end, int maxAttributes) {
      this.own = own;
      this.end = end;
      this.endCount = endCount(own, end, maxAttributes);
    }

    /** How many of the attributes a span ended with fit within the limit after its own. */
    static int endCount(Attributes own, EndAttributes end, int maxAttributes) {
      return Math.min(end.count(), Math.max(0, maxAttributes - own.size()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(AttributeKey<T> key) {
      for (int i = 0; i < endCount; i++) {
        if (end.key(i).equals(key)) {
          return (T) Long.valueOf(end.value(i));
        }
      }
      return own.get(key);
    }

    @Override
    public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
      own.forEach(consumer);
      for (int i = 0; i < endCount; i++) {
        consumer.accept(end.key(i), end.value(i));
      }
    }

    @Override
    public int size() {
      return own.size() + endCount;
    }

    @Override
    public boolean isEmpty() {
      return size() == 0;
    }

    @Override
    public Map<AttributeKey<?>, Object> asMap() {
      Map<AttributeKey<?>, Object> map = new LinkedHashMap<>();
      forEach(map::put);
      return Collections.unmodifiableMap(map);
    }

    @Override
    public AttributesBuilder toBuilder() {
      AttributesBuilder builder = own.toBuilder();
      for (int i = 0; i < endCount; i++) {
        builder.put(end.key(i), end.value(i));
      }
      return builder;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Attributes && asMap().equals(((Attributes) other).asMap());
    }

    @Override
    public int hashCode() {
      return asMap().hashCode();
    }

    @Override
    public String toString() {
      return asMap().toString();
    }
  }
}
