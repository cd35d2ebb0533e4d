/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.threads;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

import dev.opsagent.instrumentation.runtime.ClassNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread metrics built on the hooks into thread creation:
 *
 * <ul>
 *   <li>{@code opsagent.thread.starts}: every thread started since the agent started, by kind
 *       (platform or virtual), daemon, and creator: the thread factory of the pool that started it,
 *       or else the class that called {@code start}.
 *   <li>{@code jvm.thread.count}: the live platform threads, by daemon and state (the semantic
 *       convention's metric, read from the JVM at each collection).
 * </ul>
 *
 * Starts are counted from the first thread started, before the SDK is ready; the instruments report
 * them once it is.
 */
final class ThreadTelemetry {

  static final AttributeKey<String> KIND = stringKey("opsagent.thread.kind");
  static final AttributeKey<Boolean> DAEMON = booleanKey("jvm.thread.daemon");
  static final AttributeKey<String> CREATOR = stringKey("opsagent.thread.creator");
  static final AttributeKey<String> STATE = stringKey("jvm.thread.state");

  /** Beyond this many creators (a factory class made per pool, say), starts count as "other". */
  static final int MAX_CREATORS = 200;

  static final String OTHER_CREATOR = "other";
  static final String UNKNOWN_CREATOR = "unknown";

  /** A creator is found within a few frames of {@code Thread.start}. */
  private static final int FRAMES = 24;

  private static final StackWalker WALKER = StackWalker.getInstance();

  /** The hooks' own frames, between {@code Thread.start} and the walk. */
  private static final String[] OWN_CLASSES = {
    ThreadTelemetry.class.getName(), RequestThreads.class.getName()
  };

  private static final Thread.State[] STATES = Thread.State.values();

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  /** Starts by creator, then by kind and daemon. */
  private final Map<String, Starts> starts = new ConcurrentHashMap<>();

  /** The attributes of {@code jvm.thread.count}, by daemon (0 or 1), then state. */
  private final Attributes[][] countAttributes = new Attributes[2][STATES.length];

  private final int maxCreators;

  ThreadTelemetry() {
    this(MAX_CREATORS);
  }

  ThreadTelemetry(int maxCreators) {
    this.maxCreators = maxCreators;
    for (int daemon = 0; daemon < 2; daemon++) {
      for (Thread.State state : STATES) {
        countAttributes[daemon][state.ordinal()] =
            Attributes.of(
                DAEMON, daemon == 1, STATE, state.name().toLowerCase(Locale.ROOT).intern());
      }
    }
  }

  /** Creates the instruments; their callbacks read what was counted, from the start. */
  void register(Meter meter) {
    meter
        .counterBuilder("opsagent.thread.starts")
        .setUnit("{thread}")
        .setDescription("Threads started, by kind, daemon and creator.")
        .buildWithCallback(this::observeStarts);
    meter
        .upDownCounterBuilder("jvm.thread.count")
        .setUnit("{thread}")
        .setDescription("Number of executing platform threads.")
        .buildWithCallback(this::observeThreadCount);
  }

  /** {@code thread} is being started by the calling thread. */
  void started(Thread thread, boolean virtual) {
    String creator = creatorOf(thread);
    Starts counts = starts.get(creator);
    if (counts == null) {
      if (starts.size() >= maxCreators) {
        creator = OTHER_CREATOR;
      }
      counts = starts.computeIfAbsent(creator, Starts::new);
    }
    counts.add(virtual, thread.isDaemon());
  }

  /**
   * @return the factory class of the pool whose worker {@code thread} is, else the class that is
   *     starting it; a lambda stands for the class that defined it
   */
  static String creatorOf(Thread thread) {
    Object factory = PoolWorkers.factoryOf(thread);
    if (factory != null) {
      return ClassNames.of(factory.getClass());
    }
    return WALKER.walk(
        frames ->
            frames
                .limit(FRAMES)
                .map(StackWalker.StackFrame::getClassName)
                .filter(name -> !isOwn(name) && !isThreadMachinery(name))
                .findFirst()
                .map(ClassNames::withoutLambda)
                .orElse(UNKNOWN_CREATOR));
  }

  private static boolean isOwn(String className) {
    for (String own : OWN_CLASSES) {
      if (className.startsWith(own)
          && (className.length() == own.length() || className.charAt(own.length()) == '$')) {
        return true;
      }
    }
    return false;
  }

  /** The JDK's own code between whoever starts a thread and the thread, reflection included. */
  private static boolean isThreadMachinery(String className) {
    return className.startsWith("java.lang.Thread")
        || className.startsWith("java.lang.VirtualThread")
        || className.startsWith("java.lang.System$")
        || className.startsWith("java.lang.reflect.")
        || className.startsWith("java.lang.invoke.")
        || className.startsWith("jdk.internal.")
        || className.startsWith("java.util.concurrent.ThreadPerTaskExecutor");
  }

  private void observeStarts(ObservableLongMeasurement measurement) {
    starts.values().forEach(counts -> counts.observe(measurement));
  }

  private void observeThreadCount(ObservableLongMeasurement measurement) {
    long[][] counts = new long[2][STATES.length];
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
      if (info != null) {
        counts[info.isDaemon() ? 1 : 0][info.getThreadState().ordinal()]++;
      }
    }
    for (int daemon = 0; daemon < 2; daemon++) {
      for (int state = 0; state < STATES.length; state++) {
        if (counts[daemon][state] > 0) {
          measurement.record(counts[daemon][state], countAttributes[daemon][state]);
        }
      }
    }
  }

  /** The starts of one creator's threads, by kind and daemon. */
  private static final class Starts {
    /** Indexed by kind (platform 0, virtual 2) plus daemon (0 or 1). */
    private final LongAdder[] counts = new LongAdder[4];

    private final Attributes[] attributes = new Attributes[4];

    Starts(String creator) {
      for (int i = 0; i < 4; i++) {
        counts[i] = new LongAdder();
        attributes[i] =
            Attributes.of(
                KIND, i >= 2 ? "virtual" : "platform", DAEMON, (i & 1) == 1, CREATOR, creator);
      }
    }

    void add(boolean virtual, boolean daemon) {
      counts[(virtual ? 2 : 0) + (daemon ? 1 : 0)].increment();
    }

    void observe(ObservableLongMeasurement measurement) {
      for (int i = 0; i < 4; i++) {
        long count = counts[i].sum();
        if (count > 0) {
          measurement.record(count, attributes[i]);
        }
      }
    }
  }
}
