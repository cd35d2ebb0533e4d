/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Writes spans as an OTLP {@code ExportTraceServiceRequest} (opentelemetry-proto's
 * trace/v1/trace.proto and common/v1/common.proto; the field numbers below are theirs). One pass
 * over the spans, strings encoded once, attribute keys encoded once per exporter. Not thread-safe:
 * an exporter's exports never run concurrently.
 */
final class SpanRequestEncoder {

  // ExportTraceServiceRequest
  private static final int REQUEST_RESOURCE_SPANS = 1;
  // ResourceSpans
  private static final int RESOURCE_SPANS_RESOURCE = 1;
  private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
  private static final int RESOURCE_SPANS_SCHEMA_URL = 3;
  // Resource
  private static final int RESOURCE_ATTRIBUTES = 1;
  // ScopeSpans
  private static final int SCOPE_SPANS_SCOPE = 1;
  private static final int SCOPE_SPANS_SPANS = 2;
  private static final int SCOPE_SPANS_SCHEMA_URL = 3;
  // InstrumentationScope
  private static final int SCOPE_NAME = 1;
  private static final int SCOPE_VERSION = 2;
  private static final int SCOPE_ATTRIBUTES = 3;
  // Span
  private static final int SPAN_TRACE_ID = 1;
  private static final int SPAN_SPAN_ID = 2;
  private static final int SPAN_TRACE_STATE = 3;
  private static final int SPAN_PARENT_SPAN_ID = 4;
  private static final int SPAN_NAME = 5;
  private static final int SPAN_KIND = 6;
  private static final int SPAN_START_TIME = 7;
  private static final int SPAN_END_TIME = 8;
  private static final int SPAN_ATTRIBUTES = 9;
  private static final int SPAN_DROPPED_ATTRIBUTES = 10;
  private static final int SPAN_EVENTS = 11;
  private static final int SPAN_DROPPED_EVENTS = 12;
  private static final int SPAN_LINKS = 13;
  private static final int SPAN_DROPPED_LINKS = 14;
  private static final int SPAN_STATUS = 15;
  private static final int SPAN_FLAGS = 16;
  // Span.Event
  private static final int EVENT_TIME = 1;
  private static final int EVENT_NAME = 2;
  private static final int EVENT_ATTRIBUTES = 3;
  private static final int EVENT_DROPPED_ATTRIBUTES = 4;
  // Span.Link
  private static final int LINK_TRACE_ID = 1;
  private static final int LINK_SPAN_ID = 2;
  private static final int LINK_TRACE_STATE = 3;
  private static final int LINK_ATTRIBUTES = 4;
  private static final int LINK_DROPPED_ATTRIBUTES = 5;
  private static final int LINK_FLAGS = 6;
  // Status
  private static final int STATUS_MESSAGE = 2;
  private static final int STATUS_CODE = 3;
  // KeyValue, KeyValueList, ArrayValue
  private static final int KEY_VALUE_KEY = 1;
  private static final int KEY_VALUE_VALUE = 2;
  private static final int LIST_VALUES = 1;
  // AnyValue
  private static final int ANY_STRING = 1;
  private static final int ANY_BOOL = 2;
  private static final int ANY_INT = 3;
  private static final int ANY_DOUBLE = 4;
  private static final int ANY_ARRAY = 5;
  private static final int ANY_KEY_VALUE_LIST = 6;
  private static final int ANY_BYTES = 7;

  // SpanFlags: the parent's remoteness is known (0x100), and it is remote (0x200).
  private static final int FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
  private static final int FLAGS_CONTEXT_IS_REMOTE = 0x200;

  /** Attribute keys, written once: the agent's are a few dozen constants. */
  private static final int MAX_CACHED_KEYS = 512;

  private final Map<AttributeKey<?>, byte[]> encodedKeys = new IdentityHashMap<>();
  private final ProtoWriter keyScratch = new ProtoWriter(64);
  private final BiConsumer<AttributeKey<?>, Object> attributeWriter = this::attribute;
  private ProtoWriter out;

  /** The field the attributes being written belong to (span, event, link, resource, scope). */
  private int attributesField;

  /** Writes {@code spans} as one request into {@code writer}, after what it holds. */
  void encode(Collection<SpanData> spans, ProtoWriter writer) {
    out = writer;
    try {
      SpanData first = spans.isEmpty() ? null : spans.iterator().next();
      if (first != null && sameResourceAndScope(spans, first)) {
        int resourceSpans = begin(REQUEST_RESOURCE_SPANS, first.getResource());
        scopeSpans(first.getInstrumentationScopeInfo(), spans);
        out.end(resourceSpans);
        return;
      }
      for (Map.Entry<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> resource :
          group(spans).entrySet()) {
        int resourceSpans = begin(REQUEST_RESOURCE_SPANS, resource.getKey());
        resource.getValue().forEach(this::scopeSpans);
        out.end(resourceSpans);
      }
    } finally {
      out = null;
    }
  }

  /** The common case, the agent's own spans: a single resource and scope, no grouping needed. */
  private static boolean sameResourceAndScope(Collection<SpanData> spans, SpanData first) {
    Resource resource = first.getResource();
    InstrumentationScopeInfo scope = first.getInstrumentationScopeInfo();
    for (SpanData span : spans) {
      if (span.getResource() != resource || span.getInstrumentationScopeInfo() != scope) {
        return false;
      }
    }
    return true;
  }

  private static Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> group(
      Collection<SpanData> spans) {
    Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> groups = new LinkedHashMap<>();
    for (SpanData span : spans) {
      groups
          .computeIfAbsent(span.getResource(), resource -> new LinkedHashMap<>())
          .computeIfAbsent(span.getInstrumentationScopeInfo(), scope -> new ArrayList<>())
          .add(span);
    }
    return groups;
  }

  /** Starts a ResourceSpans with its resource. */
  private int begin(int field, Resource resource) {
    int resourceSpans = out.begin(field);
    int message = out.begin(RESOURCE_SPANS_RESOURCE);
    attributes(RESOURCE_ATTRIBUTES, resource.getAttributes());
    out.end(message);
    String schemaUrl = resource.getSchemaUrl();
    if (schemaUrl != null) {
      out.stringField(RESOURCE_SPANS_SCHEMA_URL, schemaUrl);
    }
    return resourceSpans;
  }

  private void scopeSpans(InstrumentationScopeInfo scope, Collection<SpanData> spans) {
    int scopeSpans = out.begin(RESOURCE_SPANS_SCOPE_SPANS);
    int message = out.begin(SCOPE_SPANS_SCOPE);
    out.stringField(SCOPE_NAME, scope.getName());
    if (scope.getVersion() != null) {
      out.stringField(SCOPE_VERSION, scope.getVersion());
    }
    attributes(SCOPE_ATTRIBUTES, scope.getAttributes());
    out.end(message);
    for (SpanData span : spans) {
      span(span);
    }
    if (scope.getSchemaUrl() != null) {
      out.stringField(SCOPE_SPANS_SCHEMA_URL, scope.getSchemaUrl());
    }
    out.end(scopeSpans);
  }

  private void span(SpanData span) {
    int message = out.begin(SCOPE_SPANS_SPANS);
    SpanContext context = span.getSpanContext();
    out.hexIdField(SPAN_TRACE_ID, context.getTraceId());
    out.hexIdField(SPAN_SPAN_ID, context.getSpanId());
    traceState(SPAN_TRACE_STATE, context.getTraceState());
    SpanContext parent = span.getParentSpanContext();
    if (parent.isValid()) {
      out.hexIdField(SPAN_PARENT_SPAN_ID, parent.getSpanId());
    }
    out.stringField(SPAN_NAME, span.getName());
    // SpanKind's order is the protocol's, which starts at 1 (0 is "unspecified").
    out.uint32Field(SPAN_KIND, span.getKind().ordinal() + 1);
    out.fixed64Field(SPAN_START_TIME, span.getStartEpochNanos());
    out.fixed64Field(SPAN_END_TIME, span.getEndEpochNanos());
    int attributeCount = spanAttributes(span);
    out.uint32Field(SPAN_DROPPED_ATTRIBUTES, span.getTotalAttributeCount() - attributeCount);
    List<EventData> events = span.getEvents();
    for (int i = 0; i < events.size(); i++) {
      event(events.get(i));
    }
    out.uint32Field(SPAN_DROPPED_EVENTS, span.getTotalRecordedEvents() - events.size());
    List<LinkData> links = span.getLinks();
    for (int i = 0; i < links.size(); i++) {
      link(links.get(i));
    }
    out.uint32Field(SPAN_DROPPED_LINKS, span.getTotalRecordedLinks() - links.size());
    status(span.getStatus());
    out.tag(SPAN_FLAGS, ProtoWriter.FIXED32);
    out.fixed32(flags(context, parent.isRemote()));
    out.end(message);
  }

  private static int flags(SpanContext context, boolean remote) {
    return (context.getTraceFlags().asByte() & 0xFF)
        | FLAGS_CONTEXT_HAS_IS_REMOTE
        | (remote ? FLAGS_CONTEXT_IS_REMOTE : 0);
  }

  private void event(EventData event) {
    int message = out.begin(SPAN_EVENTS);
    out.fixed64Field(EVENT_TIME, event.getEpochNanos());
    out.stringField(EVENT_NAME, event.getName());
    Attributes attributes = event.getAttributes();
    attributes(EVENT_ATTRIBUTES, attributes);
    out.uint32Field(EVENT_DROPPED_ATTRIBUTES, event.getTotalAttributeCount() - attributes.size());
    out.end(message);
  }

  private void link(LinkData link) {
    int message = out.begin(SPAN_LINKS);
    SpanContext context = link.getSpanContext();
    out.hexIdField(LINK_TRACE_ID, context.getTraceId());
    out.hexIdField(LINK_SPAN_ID, context.getSpanId());
    traceState(LINK_TRACE_STATE, context.getTraceState());
    Attributes attributes = link.getAttributes();
    attributes(LINK_ATTRIBUTES, attributes);
    out.uint32Field(LINK_DROPPED_ATTRIBUTES, link.getTotalAttributeCount() - attributes.size());
    out.tag(LINK_FLAGS, ProtoWriter.FIXED32);
    out.fixed32(flags(context, context.isRemote()));
    out.end(message);
  }

  /** As the W3C {@code tracestate} header writes it: {@code key=value} pairs, comma-separated. */
  private void traceState(int field, TraceState traceState) {
    if (traceState.isEmpty()) {
      return;
    }
    int body = out.begin(field);
    traceState.forEach(
        new BiConsumer<String, String>() {
          private boolean first = true;

          @Override
          public void accept(String key, String value) {
            if (!first) {
              out.utf8(",");
            }
            first = false;
            out.utf8(key);
            out.utf8("=");
            out.utf8(value);
          }
        });
    out.end(body);
  }

  /** A Status message, always present as the SDK's exporters write it. */
  private void status(StatusData status) {
    int message = out.begin(SPAN_STATUS);
    out.stringField(STATUS_MESSAGE, status.getDescription());
    // StatusCode's order is the protocol's: UNSET, OK, ERROR.
    out.uint32Field(STATUS_CODE, status.getStatusCode().ordinal());
    out.end(message);
  }

  /**
   * A span's attributes: those of a span that ended with {@link EndAttributes} written from their
   * two parts, numbers unboxed, with no merged view made.
   *
   * @return how many were written
   */
  private int spanAttributes(SpanData span) {
    if (!(span instanceof EndAttributesSpan.Data)) {
      Attributes attributes = span.getAttributes();
      attributes(SPAN_ATTRIBUTES, attributes);
      return attributes.size();
    }
    EndAttributesSpan.Data ended = (EndAttributesSpan.Data) span;
    Attributes own = ended.ownAttributes();
    attributes(SPAN_ATTRIBUTES, own);
    attributesField = SPAN_ATTRIBUTES;
    EndAttributes end = ended.endAttributes();
    int endCount = ended.endCount();
    for (int i = 0; i < endCount; i++) {
      int keyValue = beginAttribute(end.key(i));
      int anyValue = out.begin(KEY_VALUE_VALUE);
      int64(end.value(i));
      out.end(anyValue);
      out.end(keyValue);
    }
    return own.size() + endCount;
  }

  private void attributes(int field, Attributes attributes) {
    if (!attributes.isEmpty()) {
      attributesField = field;
      attributes.forEach(attributeWriter);
    }
  }

  /** One KeyValue of a repeated attributes field. */
  private void attribute(AttributeKey<?> key, Object value) {
    int keyValue = beginAttribute(key);
    int anyValue = out.begin(KEY_VALUE_VALUE);
    switch (key.getType()) {
      case STRING:
        out.string(ANY_STRING, (String) value);
        break;
      case BOOLEAN:
        bool((Boolean) value);
        break;
      case LONG:
        int64((Long) value);
        break;
      case DOUBLE:
        float64((Double) value);
        break;
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY:
        array((List<?>) value);
        break;
      case VALUE:
        anyValue((Value<?>) value);
        break;
    }
    out.end(anyValue);
    out.end(keyValue);
  }

  /**
   * @return the KeyValue begun, its key written
   */
  private int beginAttribute(AttributeKey<?> key) {
    int keyValue = out.begin(attributesField);
    byte[] encodedKey = encodedKeys.get(key);
    if (encodedKey == null) {
      encodedKey = encodeKey(key);
    }
    out.raw(encodedKey, 0, encodedKey.length);
    return keyValue;
  }

  private byte[] encodeKey(AttributeKey<?> key) {
    keyScratch.reset();
    keyScratch.string(KEY_VALUE_KEY, key.getKey());
    byte[] encoded = Arrays.copyOf(keyScratch.array(), keyScratch.size());
    if (encodedKeys.size() < MAX_CACHED_KEYS) {
      encodedKeys.put(key, encoded);
    }
    return encoded;
  }

  private void bool(boolean value) {
    out.tag(ANY_BOOL, ProtoWriter.VARINT);
    out.varint32(value ? 1 : 0);
  }

  private void int64(long value) {
    out.tag(ANY_INT, ProtoWriter.VARINT);
    out.varint64(value);
  }

  private void float64(double value) {
    out.tag(ANY_DOUBLE, ProtoWriter.FIXED64);
    out.fixed64(Double.doubleToRawLongBits(value));
  }

  /** The elements of an array attribute, each an AnyValue of the element's own kind. */
  private void array(List<?> values) {
    int array = out.begin(ANY_ARRAY);
    for (int i = 0; i < values.size(); i++) {
      int element = out.begin(LIST_VALUES);
      Object value = values.get(i);
      if (value instanceof String) {
        out.string(ANY_STRING, (String) value);
      } else if (value instanceof Boolean) {
        bool((Boolean) value);
      } else if (value instanceof Long) {
        int64((Long) value);
      } else if (value instanceof Double) {
        float64((Double) value);
      }
      out.end(element);
    }
    out.end(array);
  }

  /** The body of an AnyValue for the API's {@link Value}, which nests. */
  @SuppressWarnings("unchecked")
  private void anyValue(Value<?> value) {
    switch (value.getType()) {
      case STRING:
        out.string(ANY_STRING, (String) value.getValue());
        break;
      case BOOLEAN:
        bool((Boolean) value.getValue());
        break;
      case LONG:
        int64((Long) value.getValue());
        break;
      case DOUBLE:
        float64((Double) value.getValue());
        break;
      case ARRAY:
        int array = out.begin(ANY_ARRAY);
        for (Value<?> element : (List<Value<?>>) value.getValue()) {
          int body = out.begin(LIST_VALUES);
          anyValue(element);
          out.end(body);
        }
        out.end(array);
        break;
      case KEY_VALUE_LIST:
        int list = out.begin(ANY_KEY_VALUE_LIST);
        for (KeyValue entry : (List<KeyValue>) value.getValue()) {
          int keyValue = out.begin(LIST_VALUES);
          out.string(KEY_VALUE_KEY, entry.getKey());
          int body = out.begin(KEY_VALUE_VALUE);
          anyValue(entry.getValue());
          out.end(body);
          out.end(keyValue);
        }
        out.end(list);
        break;
      case BYTES:
        ByteBuffer buffer = ((ByteBuffer) value.getValue()).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        out.bytesField(ANY_BYTES, bytes);
        break;
      case EMPTY:
        break;
    }
  }
}
