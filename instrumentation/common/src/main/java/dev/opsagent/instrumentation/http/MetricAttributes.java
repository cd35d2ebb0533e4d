/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static dev.opsagent.instrumentation.http.HttpAttributes.ERROR_TYPE;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_REQUEST_METHOD;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_RESPONSE_STATUS_CODE;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_ROUTE;
import static dev.opsagent.instrumentation.http.HttpAttributes.NETWORK_PROTOCOL_VERSION;
import static dev.opsagent.instrumentation.http.HttpAttributes.URL_SCHEME;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.util.Objects;

/**
 * The attributes of a request's {@code http.server.request.duration} (and CPU-time) measurement,
 * one instance per combination of method, scheme, protocol version, route, status and error type,
 * kept in a small table: a server answers a few routes with a few statuses, and building the
 * attributes anew for every request (a builder, its list, a boxed status, the sorted copy) was a
 * third of what the agent allocated per request. A combination that collides with another in the
 * table is built again and replaces it; the table never grows.
 *
 * <p>Entries are immutable and published through their final fields: a thread that misses another
 * thread's entry builds its own, equal one.
 */
final class MetricAttributes {

  private static final int SIZE = 256;

  private final Entry[] table = new Entry[SIZE];

  /**
   * @param method {@code http.request.method}, normalized
   * @param route {@code http.route}, or {@code null}
   * @param status {@code http.response.status_code}; none below 100
   * @param errorType {@code error.type}, or {@code null}
   */
  Attributes get(
      String method,
      String scheme,
      String protocolVersion,
      String route,
      int status,
      String errorType) {
    int hash =
        ((((Objects.hashCode(method) * 31 + Objects.hashCode(scheme)) * 31
                                    + Objects.hashCode(protocolVersion))
                                * 31
                            + Objects.hashCode(route))
                        * 31
                    + status)
                * 31
            + Objects.hashCode(errorType);
    int index = (hash ^ (hash >>> 16)) & (SIZE - 1);
    Entry entry = table[index];
    if (entry != null
        && entry.status == status
        && Objects.equals(entry.method, method)
        && Objects.equals(entry.route, route)
        && Objects.equals(entry.scheme, scheme)
        && Objects.equals(entry.protocolVersion, protocolVersion)
        && Objects.equals(entry.errorType, errorType)) {
      return entry.attributes;
    }
    Attributes attributes = build(method, scheme, protocolVersion, route, status, errorType);
    table[index] = new Entry(method, scheme, protocolVersion, route, status, errorType, attributes);
    return attributes;
  }

  private static Attributes build(
      String method,
      String scheme,
      String protocolVersion,
      String route,
      int status,
      String errorType) {
    AttributesBuilder builder =
        Attributes.builder()
            .put(HTTP_REQUEST_METHOD, method)
            .put(URL_SCHEME, scheme)
            .put(NETWORK_PROTOCOL_VERSION, protocolVersion);
    if (route != null) {
      builder.put(HTTP_ROUTE, route);
    }
    if (status >= 100) {
      builder.put(HTTP_RESPONSE_STATUS_CODE, (long) status);
    }
    if (errorType != null) {
      builder.put(ERROR_TYPE, errorType);
    }
    return builder.build();
  }

  private static final class Entry {
    final String method;
    final String scheme;
    final String protocolVersion;
    final String route;
    final int status;
    final String errorType;
    final Attributes attributes;

    Entry(
        String method,
        String scheme,
        String protocolVersion,
        String route,
        int status,
        String errorType,
        Attributes attributes) {
      this.method = method;
      this.scheme = scheme;
      this.protocolVersion = protocolVersion;
      this.route = route;
      this.status = status;
      this.errorType = errorType;
      this.attributes = attributes;
    }
  }
}
