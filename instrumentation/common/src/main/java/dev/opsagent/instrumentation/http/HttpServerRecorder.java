/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static dev.opsagent.instrumentation.http.HttpAttributes.CLIENT_ADDRESS;
import static dev.opsagent.instrumentation.http.HttpAttributes.ERROR_TYPE;
import static dev.opsagent.instrumentation.http.HttpAttributes.GC_PAUSE_NS;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_REQUEST_METHOD;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_REQUEST_METHOD_ORIGINAL;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_RESPONSE_STATUS_CODE;
import static dev.opsagent.instrumentation.http.HttpAttributes.HTTP_ROUTE;
import static dev.opsagent.instrumentation.http.HttpAttributes.NETWORK_PEER_ADDRESS;
import static dev.opsagent.instrumentation.http.HttpAttributes.NETWORK_PEER_PORT;
import static dev.opsagent.instrumentation.http.HttpAttributes.NETWORK_PROTOCOL_VERSION;
import static dev.opsagent.instrumentation.http.HttpAttributes.SERVER_ADDRESS;
import static dev.opsagent.instrumentation.http.HttpAttributes.SERVER_PORT;
import static dev.opsagent.instrumentation.http.HttpAttributes.URL_PATH;
import static dev.opsagent.instrumentation.http.HttpAttributes.URL_QUERY;
import static dev.opsagent.instrumentation.http.HttpAttributes.URL_SCHEME;
import static dev.opsagent.instrumentation.http.HttpAttributes.USER_AGENT_ORIGINAL;

import dev.opsagent.bootstrap.HttpServerHooks;
import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.exporter.SpanEnds;
import dev.opsagent.exporter.Telemetry;
import dev.opsagent.exporter.TelemetryHolder;
import dev.opsagent.instrumentation.api.InstrumentationHealth;
import dev.opsagent.instrumentation.http.HttpCapture.CapturedHeader;
import dev.opsagent.instrumentation.runtime.GcPauses;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Records one SERVER span per request of one HTTP server technology, with the attributes of the
 * HTTP semantic conventions and what the request cost the runtime, and the {@code
 * http.server.request.duration} metric. It is the {@link HttpServerHooks} the technology's advice
 * calls; it never throws into the server: its failures go to the instrumentation's {@link
 * InstrumentationHealth}, which disables it if it keeps failing.
 *
 * @param <X> the server's request (or exchange) type
 */
public final class HttpServerRecorder<X> implements HttpServerHooks {

  private static final Set<String> KNOWN_METHODS =
      new HashSet<>(
          Arrays.asList(
              "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"));

  /** The bucket boundaries the HTTP semantic conventions advise for request durations. */
  /** From 50 µs: a trivial request costs a few tens of microseconds of CPU. */
  private static final List<Double> CPU_TIME_BUCKETS =
      Arrays.asList(
          0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
          1.0, 2.5, 5.0);

  private static final List<Double> DURATION_BUCKETS =
      Arrays.asList(
          0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private final InstrumentationHealth health;
  private final Class<X> exchangeType;
  private final HttpServerAccessor<X> accessor;
  private final TelemetryHolder telemetryHolder;
  private final HttpCapture capture;
  private final MetricAttributes metricAttributesCache = new MetricAttributes();
  private final SpanNames spanNames = new SpanNames();
  private final HostHeaders hostHeaders;

  private static final Long HTTP_PORT = 80L;
  private static final Long HTTPS_PORT = 443L;

  /**
   * {@code http.response.status_code} values, boxed once each (lazily; immutable, so published
   * safely through a racy write): {@code Long.valueOf} caches only up to 127.
   */
  private static final Long[] STATUS_CODES = new Long[600];

  /** Created on the first request, once the SDK is ready. */
  private volatile Instruments instruments;

  /** The SDK objects a request needs, taken from the SDK once. */
  private static final class Instruments {
    final Tracer tracer;
    final TextMapPropagator propagator;
    final DoubleHistogram duration;
    final DoubleHistogram cpuTime;
    final LongCounter lateCpuTime;
    final LongCounter lateAllocated;

    Instruments(Telemetry telemetry) {
      this.tracer = telemetry.tracer();
      this.propagator = telemetry.propagator();
      this.duration =
          telemetry
              .meter()
              .histogramBuilder("http.server.request.duration")
              .setUnit("s")
              .setDescription("Duration of HTTP server requests.")
              .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
              .build();
      this.cpuTime =
          telemetry
              .meter()
              .histogramBuilder("opsagent.request.cpu_time")
              .setUnit("s")
              .setDescription(
                  "CPU time of HTTP server requests, every thread that worked for them included.")
              .setExplicitBucketBoundariesAdvice(CPU_TIME_BUCKETS)
              .build();
      this.lateCpuTime =
          telemetry
              .meter()
              .counterBuilder("opsagent.request.late_work.cpu_time")
              .setUnit("ns")
              .setDescription(
                  "CPU time of work done for requests by other threads after the request ended.")
              .build();
      this.lateAllocated =
          telemetry
              .meter()
              .counterBuilder("opsagent.request.late_work.allocated")
              .setUnit("By")
              .setDescription(
                  "Bytes allocated by work done for requests by other threads after the request"
                      + " ended.")
              .build();
    }
  }

  /**
   * @param health where its failures go
   * @param exchangeType what the advice hands over
   */
  public HttpServerRecorder(
      InstrumentationHealth health,
      Class<X> exchangeType,
      HttpServerAccessor<X> accessor,
      TelemetryHolder telemetryHolder,
      HttpCapture capture) {
    this.health = health;
    this.exchangeType = exchangeType;
    this.accessor = accessor;
    this.telemetryHolder = telemetryHolder;
    this.capture = capture;
    this.hostHeaders = new HostHeaders(capture);
    ServerRequest.startGraceTimer();
  }

  /**
   * The request headers read for every request, in the order of {@link #READ_HEADERS}: read in one
   * go ({@link HttpServerAccessor#readRequestHeaders}).
   */
  private static final String[] READ_HEADERS = {
    "traceparent", "tracestate", "baggage", "host", "user-agent", "forwarded", "x-forwarded-for"
  };

  private static final int TRACESTATE = 1;
  private static final int HOST = 3;
  private static final int USER_AGENT = 4;
  private static final int FORWARDED = 5;
  private static final int X_FORWARDED_FOR = 6;

  /**
   * The W3C propagators look headers up by name ({@code traceparent}, {@code tracestate}, {@code
   * baggage}); they never list them. The carrier is the request's headers as read; {@code
   * tracestate} is kept within W3C's length ({@link TraceStates}). The propagators themselves
   * ignore a malformed {@code traceparent} (a new trace starts) and a {@code baggage} beyond W3C's
   * 8,192 bytes, and read at most 64 of its entries; baggage is not recorded.
   */
  private static final TextMapGetter<String[]> HEADER_GETTER =
      new TextMapGetter<String[]>() {
        @Override
        public Iterable<String> keys(String[] carrier) {
          return Collections.emptyList();
        }

        @Override
        public String get(String[] carrier, String key) {
          if (carrier == null) {
            return null;
          }
          for (int i = 0; i < HOST; i++) {
            if (READ_HEADERS[i].equals(key)) {
              return i == TRACESTATE ? TraceStates.bounded(carrier[i]) : carrier[i];
            }
          }
          return null;
        }

        /**
         * {@code null} where the header is absent, which the baggage propagator reads as nothing to
         * extract: for the empty iterator of the default it builds an empty baggage first (a
         * builder and its list per request).
         */
        @Override
        public Iterator<String> getAll(String[] carrier, String key) {
          String value = get(carrier, key);
          return value == null ? null : Collections.singletonList(value).iterator();
        }
      };

  /**
   * Lets go of what the recorders share with the application: the agent detaches, its hooks are
   * gone already. Records waiting for late work complete; the servers' APIs are forgotten.
   *
   * @return whether the grace timer's thread ended within the time given
   */
  public static boolean detach(long timeoutMillis) throws InterruptedException {
    ReflectiveCalls.forgetAll();
    return ServerRequest.stopGraceTimer(timeoutMillis);
  }

  @Override
  public Object onEnter(Object exchange) {
    // A request already current on this thread: a nested handler or filter, recorded by the outer
    // one.
    if (health.isDisabled()
        || RequestContext.current() != null
        || !exchangeType.isInstance(exchange)) {
      return null;
    }
    try {
      return start(exchangeType.cast(exchange));
    } catch (Throwable t) {
      health.failed(t);
      return null;
    }
  }

  @Override
  public void onExit(Object token, Object exchange, Throwable thrown) {
    if (!(token instanceof ServerRequest)) {
      return;
    }
    RequestContext.clearCurrent();
    onAsyncEnd(token, exchange, thrown);
  }

  /**
   * A request that went on asynchronously ({@link #onAsyncStarted}) completed, on the calling
   * thread, which may be doing other work for it: the thread is left as it is.
   */
  public void onAsyncEnd(Object token, Object exchange, Throwable thrown) {
    if (!(token instanceof ServerRequest)) {
      return;
    }
    try {
      // Once per request recorded: where a test makes the recording fail, its span unfinished.
      health.checkpoint();
      end((ServerRequest) token, exchangeType.cast(exchange), thrown);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /**
   * The entry point returned while the request goes on asynchronously (a servlet's {@code
   * startAsync}): the calling thread's part is measured now and it leaves the request; {@link
   * #onExit} is called when the request completes, on whichever thread completes it. Work handed
   * off meanwhile keeps counting for the request.
   */
  public void onAsyncStarted(Object token) {
    if (!(token instanceof ServerRequest)) {
      return;
    }
    RequestContext.clearCurrent();
    ServerRequest request = (ServerRequest) token;
    try {
      request.receivingThreadSpent = request.start.untilNow();
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /**
   * @return whether {@code current}, a request recorded by a server's own entry point (a Jetty or
   *     Undertow handler), has no route yet: a framework inside it (servlets) may tell it
   */
  public static boolean needsRoute(RequestContext current) {
    return current instanceof ServerRequest
        && !((ServerRequest) current).hasRoute
        && ((ServerRequest) current).routeMatchedInside == null;
  }

  /** A framework inside the request's entry point matched it to {@code route}. */
  public static void routeMatched(RequestContext current, String route) {
    if (current instanceof ServerRequest && route != null) {
      ((ServerRequest) current).routeMatchedInside = route;
    }
  }

  private ServerRequest start(X exchange) {
    Instruments sdk = instruments();
    if (sdk == null) {
      return null;
    }
    long startNanos = System.nanoTime();
    String method = accessor.method(exchange);
    boolean knownMethod = method != null && KNOWN_METHODS.contains(method);
    String normalizedMethod = knownMethod ? method : "_OTHER";
    String scheme = accessor.scheme(exchange);
    String protocolVersion = accessor.protocolVersion(exchange);
    String route = accessor.route(exchange);
    String spanName = !knownMethod ? "HTTP" : route == null ? method : spanNames.of(method, route);
    String[] headers = new String[READ_HEADERS.length];
    accessor.readRequestHeaders(exchange, READ_HEADERS, headers);

    Context parent = sdk.propagator.extract(Context.root(), headers, HEADER_GETTER);
    SpanBuilder span =
        sdk.tracer.spanBuilder(spanName).setSpanKind(SpanKind.SERVER).setParent(parent);
    span.setAttribute(HTTP_REQUEST_METHOD, normalizedMethod);
    if (!knownMethod && method != null) {
      span.setAttribute(HTTP_REQUEST_METHOD_ORIGINAL, capture.truncate(method));
    }
    span.setAttribute(URL_SCHEME, scheme);
    span.setAttribute(URL_PATH, capture.path(accessor.rawPath(exchange)));
    span.setAttribute(URL_QUERY, capture.query(accessor.rawQuery(exchange)));
    if (route != null) {
      span.setAttribute(HTTP_ROUTE, route);
    }
    setServerAddress(span, exchange, headers[HOST]);
    String peer = accessor.peerAddress(exchange);
    span.setAttribute(CLIENT_ADDRESS, capture.truncate(clientAddress(headers, peer)));
    span.setAttribute(NETWORK_PEER_ADDRESS, peer);
    if (accessor.peerPort(exchange) > 0) {
      span.setAttribute(NETWORK_PEER_PORT, accessor.peerPort(exchange));
    }
    span.setAttribute(NETWORK_PROTOCOL_VERSION, protocolVersion);
    String userAgent = headers[USER_AGENT];
    if (userAgent != null) {
      span.setAttribute(USER_AGENT_ORIGINAL, capture.truncate(userAgent));
    }
    List<CapturedHeader> captured = capture.requestHeaders();
    for (int i = 0; i < captured.size(); i++) {
      CapturedHeader header = captured.get(i);
      List<String> values = accessor.requestHeaders(exchange, header.name);
      if (!values.isEmpty()) {
        span.setAttribute(header.key, capture.values(header, values));
      }
    }
    ServerRequest request =
        new ServerRequest(
            this,
            span.startSpan(),
            knownMethod ? method : null,
            normalizedMethod,
            scheme,
            protocolVersion,
            route,
            startNanos,
            ThreadCost.read(),
            GcPauses.totalNanos(),
            sdk.lateCpuTime,
            sdk.lateAllocated,
            capture.taskSpans() ? sdk.tracer : null);
    request.makeCurrent();
    return request;
  }

  private void end(ServerRequest request, X exchange, Throwable thrown) {
    ThreadCost.Reading own =
        request.receivingThreadSpent != null
            ? request.receivingThreadSpent
            : request.start.untilNow();
    long gcPauseNanos = GcPauses.totalNanos() - request.startGcPauseNanos;
    double seconds = (System.nanoTime() - request.startNanos) / 1e9;

    int status = accessor.statusCode(exchange);
    if (status < 100 && thrown != null) {
      // The handler threw before sending a response: the client gets a server error.
      status = 500;
    }
    String errorType =
        thrown != null
            ? thrown.getClass().getName()
            : status >= 500 ? Integer.toString(status) : null;
    String finalRoute = accessor.finalRoute(exchange);
    if (finalRoute == null) {
      finalRoute = request.routeMatchedInside;
    }
    if (finalRoute != null) {
      request.span.setAttribute(HTTP_ROUTE, finalRoute);
      if (request.knownMethod != null) {
        request.span.updateName(spanNames.of(request.knownMethod, finalRoute));
      }
    }
    Attributes metricAttributes =
        metricAttributesCache.get(
            request.normalizedMethod,
            request.scheme,
            request.protocolVersion,
            finalRoute != null ? finalRoute : request.route,
            status,
            errorType);
    instruments.duration.record(seconds, metricAttributes);

    Span span = request.span;
    if (status >= 100) {
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, statusCode(status));
    }
    if (errorType != null) {
      span.setAttribute(ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
    }
    if (thrown != null) {
      span.recordException(thrown);
    }
    List<CapturedHeader> captured = capture.responseHeaders();
    for (int i = 0; i < captured.size(); i++) {
      CapturedHeader header = captured.get(i);
      List<String> values = accessor.responseHeaders(exchange, header.name);
      if (!values.isEmpty()) {
        span.setAttribute(header.key, capture.values(header, values));
      }
    }
    span.setAttribute(GC_PAUSE_NS, gcPauseNanos);
    // The span ends when the work still running for the request has added its cost
    // (ServerRequest.accept, then completed()).
    request.end(own, SpanEnds.epochNanos(Instant.now()), metricAttributes);
  }

  /**
   * The work still running for the request finished: completes its span. It may run on another
   * thread (the last to finish work for the request, the grace timer), where no caller would see a
   * failure: it is reported here.
   */
  void completed(ServerRequest request) {
    try {
      ThreadCost.Reading own = request.own;
      if (own.cpuNanos >= 0) {
        long cpuNanos = own.cpuNanos + request.others[0];
        instruments.cpuTime.record(cpuNanos / 1e9, request.endAttributes);
      }
      // The span's cost attributes travel beside it to the exporter, the request answering them
      // (ServerRequest as EndAttributes): set on the span, they made the SDK grow its attribute
      // storage from 16 places to 32 for every request.
      SdkCalls.endSpan(request.span, request.endEpochNanos, request);
    } catch (Throwable t) {
      health.failed(t);
    }
  }

  /**
   * {@code server.address} and {@code server.port}: from the Host header, else the local socket.
   */
  private void setServerAddress(SpanBuilder span, X exchange, String host) {
    if (host != null && !host.isEmpty()) {
      HostHeaders.Entry read = hostHeaders.of(host);
      span.setAttribute(SERVER_ADDRESS, read.address);
      // No port in Host: the scheme's default.
      span.setAttribute(
          SERVER_PORT,
          read.port != null
              ? read.port
              : "https".equals(accessor.scheme(exchange)) ? HTTPS_PORT : HTTP_PORT);
      return;
    }
    span.setAttribute(SERVER_ADDRESS, accessor.localAddress(exchange));
    span.setAttribute(SERVER_PORT, accessor.localPort(exchange));
  }

  /**
   * @return {@code status}, boxed
   */
  private static Long statusCode(int status) {
    if (status < 0 || status >= STATUS_CODES.length) {
      return (long) status;
    }
    Long boxed = STATUS_CODES[status];
    if (boxed == null) {
      boxed = (long) status;
      STATUS_CODES[status] = boxed;
    }
    return boxed;
  }

  /** {@code client.address}: the original client named by a proxy header, else the peer. */
  private static String clientAddress(String[] headers, String peer) {
    String client = Addresses.clientFromForwarded(headers[FORWARDED]);
    if (client == null) {
      client = Addresses.clientFromXForwardedFor(headers[X_FORWARDED_FOR]);
    }
    return client == null ? peer : client;
  }

  private Instruments instruments() {
    Instruments ready = instruments;
    if (ready == null) {
      Telemetry telemetry = telemetryHolder.get();
      if (telemetry == null) {
        return null;
      }
      synchronized (this) {
        ready = instruments;
        if (ready == null) {
          ready = SdkCalls.call(() -> new Instruments(telemetry));
          instruments = ready;
        }
      }
    }
    return ready;
  }
}
