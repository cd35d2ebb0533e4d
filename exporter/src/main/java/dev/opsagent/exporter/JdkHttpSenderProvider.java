/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.exporter;

import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;

/** The SDK's way to an {@link HttpSender}: here, {@link JdkHttpSender}. */
final class JdkHttpSenderProvider implements HttpSenderProvider {

  @Override
  public HttpSender createSender(HttpSenderConfig config) {
    return new JdkHttpSender(config);
  }
}
