/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.exporter.sender.okhttp.internal.OkHttpHttpSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;

/**
 * OkHttp's sender, for http/protobuf where the JDK's client is missing. A class of its own so that
 * OkHttp's classes load only when it is used.
 */
final class OkHttpFallback {

  private OkHttpFallback() {}

  static HttpSenderProvider httpSenderProvider() {
    Telemetry.usingOkHttp();
    return new OkHttpHttpSenderProvider();
  }
}
