/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import java.util.Collections;

/**
 * Chooses the HTTP client of the OTLP http/protobuf exporters explicitly, rather than by whichever
 * {@code META-INF/services} entry the SDK happens to find first: the JDK's {@code HttpClient}
 * ({@link JdkHttpSender}), or OkHttp where the Java runtime lacks the {@code java.net.http} module
 * (an image made by {@code jlink} without it). Everything else the exporters look up (compressors)
 * is found as usual. The sender the exporter gets is kept: {@link OtlpProtobufSpanExporter} sends
 * through it, with everything the SDK's builder configured (endpoint, headers, compression, TLS,
 * timeouts, retries).
 */
final class HttpSenders implements ComponentLoader {

  private final HttpSenderProvider provider;
  private final ComponentLoader others =
      ComponentLoader.forClassLoader(HttpSenders.class.getClassLoader());

  private volatile HttpSender sender;

  private HttpSenders(HttpSenderProvider provider) {
    this.provider = provider;
  }

  /** For {@code setComponentLoader} of an OTLP http exporter's builder. */
  static HttpSenders create() {
    return new HttpSenders(
        jdkClientAvailable() ? new JdkHttpSenderProvider() : OkHttpFallback.httpSenderProvider());
  }

  static boolean jdkClientAvailable() {
    return ModuleLayer.boot().findModule("java.net.http").isPresent();
  }

  /** Whether exports go through the JDK's client. */
  boolean usesJdkClient() {
    return provider instanceof JdkHttpSenderProvider;
  }

  @Override
  public <T> Iterable<T> load(Class<T> type) {
    if (type == HttpSenderProvider.class) {
      HttpSenderProvider keeping = this::createSender;
      return Collections.singletonList(type.cast(keeping));
    }
    return others.load(type);
  }

  private HttpSender createSender(HttpSenderConfig config) {
    HttpSender created = provider.createSender(config);
    sender = created;
    return created;
  }

  /**
   * @return the sender the exporter built with this loader got, null before it is built
   */
  HttpSender sender() {
    return sender;
  }
}
