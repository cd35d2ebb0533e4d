/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.http;

import static dev.opsagent.instrumentation.http.HttpAttributes.ALLOC_BYTES;
import static dev.opsagent.instrumentation.http.HttpAttributes.ASYNC_TASKS;
import static dev.opsagent.instrumentation.http.HttpAttributes.BLOCKED_NS;
import static dev.opsagent.instrumentation.http.HttpAttributes.CPU_TIME_NS;
import static dev.opsagent.instrumentation.http.HttpAttributes.CPU_TIME_OWN_NS;
import static dev.opsagent.instrumentation.http.HttpAttributes.TASK_CLASS;
import static dev.opsagent.instrumentation.http.HttpAttributes.THREADS_STARTED;
import static dev.opsagent.instrumentation.http.HttpAttributes.THREAD_ID;
import static dev.opsagent.instrumentation.http.HttpAttributes.THREAD_NAME;
import static dev.opsagent.instrumentation.http.HttpAttributes.WAITED_NS;

import dev.opsagent.bootstrap.RequestContext;
import dev.opsagent.exporter.EndAttributes;
import dev.opsagent.instrumentation.runtime.ClassNames;
import dev.opsagent.instrumentation.runtime.ThreadCost;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request being recorded: its span, the readings taken when it arrived, and what the duration
 * metric needs of the request. Those are read when the request starts, never at its end: a server
 * may already be parsing the next request of the same connection by then (the JDK server's {@code
 * HttpExchange.getHttpContext()} belongs to the connection).
 */
final class ServerRequest extends RequestContext implements Consumer<long[]>, EndAttributes {

  /**
   * The cost attributes the span ends with, in this order, each where it was measured: held by the
   * request and read from it when the span is exported ({@link EndAttributes}), not set on the
   * span.
   */
  @SuppressWarnings("unchecked")
  private static final AttributeKey<Long>[] COST_KEYS =
      new AttributeKey[] {
        CPU_TIME_OWN_NS,
        CPU_TIME_NS,
        ALLOC_BYTES,
        BLOCKED_NS,
        WAITED_NS,
        ASYNC_TASKS,
        THREADS_STARTED
      };

  private static final int CPU = 0b11;
  private static final int ALLOCATED = 0b100;
  private static final int CONTENTION = 0b11000;
  private static final int HAND_OFFS = 0b1100000;

  /** Completes the span once no work runs for the request any more. */
  private final HttpServerRecorder<?> recorder;

  final Span span;

  /** The request's method if it is a known one (it names the span), else {@code null}. */
  final String knownMethod;

  /** Whether the server's entry point knew the request's route. */
  final boolean hasRoute;

  /** The route a framework inside the entry point matched, if any. */
  volatile String routeMatchedInside;

  final long startNanos;
  final ThreadCost.Reading start;
  final long startGcPauseNanos;

  // The metric attributes known when the request starts: {@code http.request.method} (normalized),
  // {@code url.scheme}, {@code network.protocol.version}, {@code http.route}; the status and
  // {@code error.type} join them at the end.
  final String normalizedMethod;
  final String scheme;
  final String protocolVersion;

  /** The route the server's entry point knew, or {@code null}. */
  final String route;

  private final LongCounter lateCpuTime;
  private final LongCounter lateAllocated;

  /** Records a span per task run for the request; {@code null} when tasks get no spans. */
  private final Tracer taskTracer;

  /**
   * The metric attributes once the request ended, for the span's completion and for work that
   * finishes later.
   */
  volatile Attributes endAttributes;

  // Set when the entry point returned, before RequestContext.end, whose lock publishes them to the
  // thread that completes the record.

  /** What the receiving thread spent. */
  ThreadCost.Reading own;

  /** When the entry point returned, in nanoseconds since the epoch: the span's end. */
  long endEpochNanos;

  // Set when the record completes, on the thread that completes it, before the span ends there.

  /** What other threads did for the request, as {@link RequestContext#end} hands it over. */
  long[] others;

  /** Which of {@link #COST_KEYS} the span ends with, one bit each. */
  private int costs;

  /**
   * What the receiving thread spent, when it left a request that goes on asynchronously; {@code
   * null} until then.
   */
  volatile ThreadCost.Reading receivingThreadSpent;

  ServerRequest(
      HttpServerRecorder<?> recorder,
      Span span,
      String knownMethod,
      String normalizedMethod,
      String scheme,
      String protocolVersion,
      String route,
      long startNanos,
      ThreadCost.Reading start,
      long startGcPauseNanos,
      LongCounter lateCpuTime,
      LongCounter lateAllocated,
      Tracer taskTracer) {
    this.recorder = recorder;
    this.span = span;
    this.knownMethod = knownMethod;
    this.hasRoute = route != null;
    this.normalizedMethod = normalizedMethod;
    this.scheme = scheme;
    this.protocolVersion = protocolVersion;
    this.route = route;
    this.startNanos = startNanos;
    this.start = start;
    this.startGcPauseNanos = startGcPauseNanos;
    this.lateCpuTime = lateCpuTime;
    this.lateAllocated = lateAllocated;
    this.taskTracer = taskTracer;
  }

  /**
   * The request's entry point returned: the recorder completes the span with what other threads did
   * for it (as {@link RequestContext#end} says) once no work runs for it any more, within {@link
   * #GRACE_MILLIS} at the most, on whichever thread finishes last ({@link #accept}).
   *
   * @param own what the receiving thread spent
   * @param endEpochNanos the span's end
   * @param attributes the request's final metric attributes
   */
  void end(ThreadCost.Reading own, long endEpochNanos, Attributes attributes) {
    this.own = own;
    this.endEpochNanos = endEpochNanos;
    endAttributes = attributes;
    // This request is its own completion callback: no object per request for it.
    if (!end(this)) {
      // The agent's own timer works for no request: its task is not one the request handed off.
      RequestContext current = RequestContext.current();
      RequestContext.clearCurrent();
      try {
        Grace.TIMER.schedule(this::endNow, GRACE_MILLIS, TimeUnit.MILLISECONDS);
      } finally {
        if (current != null) {
          current.makeCurrent();
        }
      }
    }
  }

  /**
   * How long a request's record waits for work still running for it when its entry point returned:
   * enough for a task that woke the request's thread to run its last instructions.
   */
  static final long GRACE_MILLIS = 10;

  /**
   * Starts the grace timer's thread, from the agent's own start-up: a thread started while a server
   * handles a request would inherit what that thread holds (a web application's context class
   * loader, the protection domains of its classes on the stack) and keep it from being unloaded.
   */
  static void startGraceTimer() {
    Grace.TIMER.prestartAllCoreThreads();
  }

  /**
   * Stops the grace timer once the records waiting on it completed: the agent detaches.
   *
   * @return whether its thread ended within the time given
   */
  static boolean stopGraceTimer(long timeoutMillis) throws InterruptedException {
    Grace.TIMER.shutdown();
    return Grace.TIMER.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * The timer that completes records whose work ran past their grace; its one thread is idle
   * otherwise.
   */
  private static final class Grace {
    static final ScheduledThreadPoolExecutor TIMER =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "opsagent-request-grace");
              thread.setDaemon(true);
              thread.setContextClassLoader(null);
              return thread;
            });
  }

  /** No work runs for the request any more: {@code others} is what other threads did for it. */
  @Override
  public void accept(long[] others) {
    this.others = others;
    costs =
        (own.cpuNanos >= 0 ? CPU : 0)
            | (own.allocatedBytes >= 0 ? ALLOCATED : 0)
            | (own.blockedNanos >= 0 ? CONTENTION : 0)
            | HAND_OFFS;
    recorder.completed(this);
  }

  @Override
  public int count() {
    return Integer.bitCount(costs);
  }

  @Override
  public AttributeKey<Long> key(int index) {
    return COST_KEYS[costIndex(index)];
  }

  @Override
  public long value(int index) {
    switch (costIndex(index)) {
      case 0:
        return own.cpuNanos;
      case 1:
        return own.cpuNanos + others[0];
      case 2:
        return own.allocatedBytes + others[1];
      case 3:
        return own.blockedNanos + others[2];
      case 4:
        return own.waitedNanos + others[3];
      case 5:
        return others[4];
      default:
        return others[5];
    }
  }

  /**
   * @return the place in {@link #COST_KEYS} of the {@code index}-th cost the span ends with
   */
  private int costIndex(int index) {
    int bits = costs;
    for (int i = 0; i < index; i++) {
      bits &= bits - 1;
    }
    return Integer.numberOfTrailingZeros(bits);
  }

  /** Reported as metrics, by route and status: the span has been exported already. */
  @Override
  protected void lateWork(long cpuNanos, long allocatedBytes) {
    Attributes attributes = endAttributes;
    if (cpuNanos > 0) {
      lateCpuTime.add(cpuNanos, attributes);
    }
    if (allocatedBytes > 0) {
      lateAllocated.add(allocatedBytes, attributes);
    }
  }

  /**
   * An INTERNAL child of the request's span, named after the task's class, on the thread that runs
   * it.
   */
  @Override
  public Object taskSpanStarting(Object task) {
    if (taskTracer == null) {
      return null;
    }
    String type = ClassNames.of(task.getClass());
    Thread thread = Thread.currentThread();
    return taskTracer
        .spanBuilder("task " + type.substring(type.lastIndexOf('.') + 1))
        .setParent(Context.root().with(span))
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(TASK_CLASS, type)
        .setAttribute(THREAD_NAME, thread.getName())
        .setAttribute(THREAD_ID, thread.getId())
        .startSpan();
  }

  /** The task's own cost, where it was measured apart, and the end of its span. */
  @Override
  public void taskSpanEnded(
      Object handle, long cpuNanos, long allocatedBytes, long blockedNanos, long waitedNanos) {
    Span task = (Span) handle;
    if (cpuNanos >= 0) {
      task.setAttribute(CPU_TIME_NS, cpuNanos);
    }
    if (allocatedBytes >= 0) {
      task.setAttribute(ALLOC_BYTES, allocatedBytes);
    }
    if (blockedNanos >= 0) {
      task.setAttribute(BLOCKED_NS, blockedNanos);
      task.setAttribute(WAITED_NS, waitedNanos);
    }
    SdkCalls.endSpan(task, Instant.now());
  }
}
