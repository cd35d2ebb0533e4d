/*
 * Copyright The opsagent Authors
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.opsagent.instrumentation.undertow;

/** One exchange that Undertow's root handler records: what the recorder reads. */
final class UndertowExchange {

  final Object exchange;
  final UndertowApi api;

  UndertowExchange(Object exchange, UndertowApi api) {
    this.exchange = exchange;
    this.api = api;
  }
}
